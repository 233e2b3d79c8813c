"""The ISO 18626 endpoint, mounted at /ill/iso18626."""

from django.urls import path

from shelfmark.ill import views_protocol

app_name = "ill_protocol"

urlpatterns = [path("", views_protocol.endpoint, name="endpoint")]
