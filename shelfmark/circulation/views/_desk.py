"""What every desk page shares: the place the clerk works (kept in the session), access to it, htmx answers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shelfmark.accounts import permissions
from shelfmark.accounts.views import staff_required
from shelfmark.core.errors import DomainError
from shelfmark.libraries.models import Library, ServicePoint

SESSION_KEY = "circulation_desk"


@dataclass(frozen=True)
class Place:
    """The library (and service point) where the clerk is working now."""

    library: Library
    service_point: ServicePoint | None = None


def current_place(request: HttpRequest) -> Place | None:
    """Return the desk place kept in the session, if it still exists and the clerk may still operate there."""
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("library"), int):
        return None
    library = Library.objects.filter(pk=kept["library"], is_active=True).first()
    if library is None or not permissions.has_perm(request.user, "circulation.operate", library):
        return None
    point_id = kept.get("service_point")
    point = ServicePoint.objects.filter(pk=point_id, library=library).first() if isinstance(point_id, int) else None
    return Place(library=library, service_point=point)


def remember_place(request: HttpRequest, place: Place) -> None:
    """Keep the chosen place in the session (ids only; every request checks them again)."""
    request.session[SESSION_KEY] = {
        "library": place.library.pk,
        "service_point": place.service_point.pk if place.service_point else None,
    }


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    """Render a refusal that has no form to sit next to (a missing reader, a missing permission): htmx gets a line."""
    template = "circulation/partials/refused.html" if is_htmx(request) else "circulation/refused.html"
    return render(request, template, {"error": error}, status=error.status)


def desk_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let in staff who chose a desk place they may operate at; pass it to the view as `place`.

    Without a valid place the clerk is sent to the desk home to choose one, then back here.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        place = current_place(request)
        if place is None:
            target = reverse("circulation:home") + "?" + urlencode({"next": request.get_full_path()})
            if is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return redirect(target)
        try:
            return view(request, *args, place=place, **kwargs)
        except DomainError as exc:
            return refused(request, exc)

    return staff_required(wrapper)


def page_or_partial(
    request: HttpRequest, page: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    """Answer htmx with the fragment it swaps in, and a plain form post with the whole page."""
    return render(request, partial if is_htmx(request) else page, context, status=status)
