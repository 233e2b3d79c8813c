"""The branch's working lists: copies to pull from the shelf for bookings, and copies travelling here."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shelfmark.circulation import selectors
from shelfmark.circulation.views._desk import Place, desk_view


@require_GET
@desk_view
def pull_list(request: HttpRequest, *, place: Place) -> HttpResponse:
    """Show (and print) the copies on this library's shelves that bookings are waiting for, oldest booking first."""
    return render(
        request, "circulation/pull_list.html", {"place": place, "entries": selectors.pull_list(place.library)}
    )


@require_GET
@desk_view
def incoming_transits(request: HttpRequest, *, place: Place) -> HttpResponse:
    """Show the copies on their way to this library; scanning one at check-in receives it."""
    transits = selectors.open_transits(place.library).select_related("hold__patron", "hold__pickup_library")
    return render(request, "circulation/transits.html", {"place": place, "transits": transits})
