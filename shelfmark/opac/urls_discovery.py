"""Public discovery pages: search, suggestions, item pages, OpenSearch."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
