"""The SRU base URL, mounted at /sru: explain and searchRetrieve by GET or POST."""

from django.urls import path

from .views import sru

app_name = "sru"

urlpatterns = [path("", sru, name="sru")]
