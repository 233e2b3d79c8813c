"""The page a scanned item QR code opens (/i/<code>): which book, where it belongs and is now, whether it is on the
shelf, and a one-tap booking of the title for a logged-in reader (a login link that comes back here otherwise)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelfmark.circulation import services as circulation
from shelfmark.core.errors import DomainError
from shelfmark.holdings.errors import ItemNotFound
from shelfmark.libraries.models import Library
from shelfmark.opac import discovery, selectors, wording
from shelfmark.opac.templatetags.opac import place
from shelfmark.patrons.auth import current_patron
from shelfmark.patrons.models import Patron


@require_GET
def item(request: HttpRequest, code: str) -> HttpResponse:
    """Show one copy to whoever scanned it, with the one-tap booking or a login link."""
    try:
        found = discovery.item_by_code(code)
    except ItemNotFound:
        return _not_found(request, code)
    return _page(request, found, patron=current_patron(request))


@require_POST
def hold(request: HttpRequest, code: str) -> HttpResponse:
    """Book the copy's title for the reader, collected where the copy is now unless they chose another library."""
    try:
        found = discovery.item_by_code(code)
    except ItemNotFound:
        return _not_found(request, code)
    patron = current_patron(request)
    page = reverse("opac:item", args=[found.item.qr_code])
    if patron is None:
        return HttpResponseRedirect(f"{reverse('opac:login')}?{urlencode({'next': page})}", status=303)
    pickup = _chosen_pickup(request, found, patron)
    if pickup is None:
        return _page(request, found, patron=patron, alert=_("请选择取书馆。"), status=400)
    try:
        booked = circulation.place_hold(patron=patron, record=found.item.record, actor=patron, pickup_library=pickup)
    except DomainError as exc:
        return _page(request, found, patron=patron, alert=wording.refusal_text(exc, patron=patron), status=exc.status)
    text = _("《{title}》已预约，取书地点：{where}。").format(
        title=found.item.record.title, where=place(booked.pickup_library)
    )
    messages.success(request, text)
    return HttpResponseRedirect(f"{reverse('opac:account')}#holds", status=303)


def _chosen_pickup(request: HttpRequest, found: discovery.ItemView, patron: Patron) -> Library | None:
    """The library the reader chose, or the default one (None when the choice is not a pickup library)."""
    chosen = request.POST.get("pickup", "").strip()
    if not chosen:
        return discovery.default_pickup(found.item, patron.home_library)
    if not chosen.isdigit():
        return None
    return selectors.pickup_libraries().filter(pk=int(chosen)).first()


def _page(
    request: HttpRequest,
    found: discovery.ItemView,
    *,
    patron: Patron | None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "found": found,
        "item": found.item,
        "record": found.item.record,
        "reader": patron,
        "alert": alert,
        "page_path": reverse("opac:item", args=[found.item.qr_code]),
    }
    if patron is not None:
        default = discovery.default_pickup(found.item, patron.home_library)
        context["pickup"] = default
        context["pickup_choices"] = [library for library in selectors.pickup_libraries() if library.pk != default.pk]
    return render(request, "opac/item.html", context, status=status)


def _not_found(request: HttpRequest, code: str) -> HttpResponse:
    context = {"missing": True, "code": code[:40], "reader": current_patron(request)}
    return render(request, "opac/item.html", context, status=404)
