"""Reader pages know their reader from the reader session (patrons.auth), never from a staff login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from shelfmark.patrons.auth import current_patron
from shelfmark.patrons.models import Patron


class ReaderRequest(HttpRequest):
    """A request from a logged-in reader: `patron` is set by `reader_required`."""

    patron: Patron


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a visitor without a reader session to the reader login, coming back here afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        patron = current_patron(request)
        if patron is None:
            back = request.get_full_path() if request.method == "GET" else reverse("opac:account")
            return HttpResponseRedirect(f"{reverse('opac:login')}?{urlencode({'next': back})}")
        request.patron = patron  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def safe_next(request: HttpRequest, default: str) -> str:
    """Return the `next` address if it stays on this site, else `default` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default
