"""Public lists: new arrivals, borrowing rankings, staff picks and curated lists, the children's view, their feeds."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
