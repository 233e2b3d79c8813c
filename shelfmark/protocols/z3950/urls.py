"""Copy cataloguing pages, under /staff/copycat/."""

from django.urls import path

from shelfmark.protocols.z3950 import views

app_name = "z3950"

urlpatterns = [
    path("", views.search, name="search"),
    path("copy/", views.copy, name="copy"),
]
