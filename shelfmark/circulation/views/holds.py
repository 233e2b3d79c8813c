"""Bookings (约书) at the desk: find a title for the reader, place it for pickup anywhere or home delivery, cancel."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelfmark.catalog.models import Record
from shelfmark.catalog.search import selectors as search_selectors
from shelfmark.circulation import selectors, services
from shelfmark.circulation.forms import CancelHoldForm, HoldForm
from shelfmark.circulation.views._desk import Place, desk_view
from shelfmark.circulation.views._reader import ActionError, answer_with_panel, form_error
from shelfmark.core.errors import DomainError, NotFound
from shelfmark.holdings import selectors as item_selectors
from shelfmark.libraries.models import Library
from shelfmark.patrons import access as patron_access
from shelfmark.patrons.models import Patron

HITS = 10


@require_GET
@desk_view
def hold_search(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Search the catalogue by title, author or ISBN to book a title for the reader."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    return _search_page(request, place, patron, q=request.GET.get("q", ""))


@require_POST
@desk_view
def hold_place(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Place the booking, then go back to the reader; a refusal is shown beside the title it concerns."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    form = HoldForm(request.POST)
    q = str(request.POST.get("q", ""))
    if not form.is_valid():
        error = form_error(form, "hold", target="record")
        return _search_page(request, place, patron, q=q, error=error, status=400)
    record_id = form.cleaned_data["record"]
    try:
        record = Record.objects.filter(pk=record_id).first()
        if record is None:
            raise NotFound(_("没有编号为 {record} 的书目。").format(record=record_id), field="record")
        services.place_hold(
            patron=patron,
            record=record,
            pickup_library=form.cleaned_data["pickup"],
            home_delivery=form.cleaned_data["home_delivery"],
            actor=request.user,
        )
    except DomainError as exc:
        error = ActionError(form="hold", message=exc.message, field=exc.field, target=record_id)
        return _search_page(request, place, patron, q=q, error=error, status=exc.status)
    return redirect("circulation:reader", patron_id=patron.pk)


@require_POST
@desk_view
def hold_cancel(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Cancel one of the reader's open bookings; a copy waiting on the shelf passes on."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    form = CancelHoldForm(request.POST)
    if not form.is_valid():
        return answer_with_panel(
            request, place=place, patron=patron, error=form_error(form, "cancel", target="hold"), status=400
        )
    hold = selectors.active_holds(patron).filter(pk=form.cleaned_data["hold"]).first()
    if hold is None:
        message = _("该读者没有编号为 {hold} 的有效预约。").format(hold=form.cleaned_data["hold"])
        error = ActionError(form="cancel", field="hold", message=message)
        return answer_with_panel(request, place=place, patron=patron, error=error, status=404)
    try:
        services.cancel_hold(hold=hold, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        error = ActionError(form="cancel", message=exc.message, field=exc.field, target=hold.pk)
        return answer_with_panel(request, place=place, patron=patron, error=error, status=exc.status)
    line = _("已取消《{title}》的预约。").format(title=hold.record.title)
    return answer_with_panel(request, place=place, patron=patron, lines=[line])


def _search_page(
    request: HttpRequest,
    place: Place,
    patron: Patron,
    *,
    q: str,
    error: ActionError | None = None,
    status: int = 200,
) -> HttpResponse:
    q = q.strip()[:500]
    hits: list[Any] = []
    search_error = ""
    if q:
        try:
            hits = search_selectors.search(q, per_page=HITS, facets=False).hits
        except DomainError as exc:
            search_error, status = exc.message, max(status, exc.status)
    places = item_selectors.availability_for_records([record.pk for record in hits])
    context = {
        "place": place,
        "patron": patron,
        "q": q,
        "hits": [(record, places.get(record.pk, [])) for record in hits],
        "search_error": search_error,
        "error": error,
        "error_elsewhere": error is not None and error.target not in {record.pk for record in hits},
        "pickups": Library.objects.filter(is_active=True).order_by("path"),
        "pickup_default": place.library.code,
    }
    return render(request, "circulation/hold_search.html", context, status=status)
