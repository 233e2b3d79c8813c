"""The public address a QR label encodes: /i/<code> leads to the item's record."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from shelfmark.holdings import selectors
from shelfmark.holdings.errors import ItemNotFound


def item_by_qr_code(request: HttpRequest, code: str) -> HttpResponse:
    """Send a scanned QR label to its record's page (302), or say plainly that no item has that code (404)."""
    try:
        item = selectors.get_item_by_qr_code(code)
    except ItemNotFound as exc:
        return render(request, "holdings/item_not_found.html", {"error": exc, "code": code}, status=404)
    # The public record page: whoever scans a shelf label is a reader, not necessarily logged in.
    return HttpResponseRedirect(reverse("opac:record", args=[item.record_id]))
