"""Staff catalogue pages."""

from django.urls import path

from shelfmark.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:record_id>/", views.record_detail, name="detail"),
    path("import/", views.import_upload, name="import"),
    path("import/<int:job_id>/", views.import_job, name="import_job"),
    path("import/<int:job_id>/status/", views.import_status, name="import_status"),
]
