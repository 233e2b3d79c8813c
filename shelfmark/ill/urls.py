"""Staff ILL pages, under /staff/ill/."""

from django.urls import path

from shelfmark.ill import views

app_name = "ill"

urlpatterns = [
    path("", views.home, name="home"),
    path("libraries/<int:library_id>/", views.queues, name="queues"),
    path("libraries/<int:library_id>/new/", views.new_request, name="new"),
    path("requests/<int:request_id>/", views.detail, name="detail"),
    path("requests/<int:request_id>/<str:action>/", views.act, name="act"),
]
