"""Staff pages of the union catalogue: member sources, run logs, clusters, candidate merges and decisions."""

from django.urls import path

from shelfmark.union_catalog import views

app_name = "union_catalog"

urlpatterns = [
    path("", views.index, name="index"),
    path("sources/new/", views.new_source, name="new_source"),
    path("sources/<str:code>/", views.source, name="source"),
    path("sources/<str:code>/harvest/", views.harvest, name="harvest"),
    path("sources/<str:code>/upload/", views.upload, name="upload"),
    path("runs/<int:run_id>/", views.run, name="run"),
    path("clusters/", views.clusters, name="clusters"),
    path("clusters/<int:cluster_id>/", views.cluster, name="cluster"),
    path("clusters/<int:cluster_id>/split/<int:member_id>/", views.split, name="split"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<int:pair_id>/<str:kind>/", views.decide, name="decide"),
    path("decisions/<int:decision_id>/forget/", views.forget, name="forget"),
]
