"""The OAI-PMH base URL, mounted at /oai: one endpoint answers every verb."""

from django.urls import path

from . import views

app_name = "oaipmh"

urlpatterns = [path("", views.oai, name="oai")]
