"""Public item addresses: /i/<code> is what an item's QR code encodes."""

from django.urls import re_path

from shelfmark.holdings import views

app_name = "holdings"

urlpatterns = [
    re_path(r"^(?P<code>[^/]+)/?$", views.item_by_qr_code, name="by_qr_code"),
]
