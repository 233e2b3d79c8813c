"""Desk home: choose the library and service point this clerk works at, from their role grants."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from shelfmark.accounts.views import staff_required
from shelfmark.circulation.forms import DeskForm
from shelfmark.circulation.views._desk import Place, current_place, remember_place


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the chosen place and the desk's screens; a post changes the place (only to one the clerk may work at)."""
    place = current_place(request)
    initial = (
        {
            "library": place.library.code,
            "service_point": place.service_point.code if place and place.service_point else "",
        }
        if place
        else {}
    )
    form = DeskForm(request.POST or None, user=request.user, initial=initial)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        remember_place(
            request, Place(library=form.cleaned_data["library"], service_point=form.cleaned_data["service_point"])
        )
        return redirect(next_url or "circulation:checkout")
    status = 400 if request.method == "POST" else (200 if form.libraries else 403)
    return render(request, "circulation/home.html", {"form": form, "place": place, "next": next_url}, status=status)
