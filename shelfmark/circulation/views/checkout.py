"""Check-out screen: scan a reader card, then scan copies one after another; refusals may be overridden."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from shelfmark.accounts import permissions
from shelfmark.circulation import services
from shelfmark.circulation.forms import CardForm, ScanForm, first_error
from shelfmark.circulation.models import Loan
from shelfmark.circulation.views._desk import Place, desk_view, is_htmx
from shelfmark.circulation.views._reader import reader_panel
from shelfmark.core.errors import DomainError
from shelfmark.holdings import selectors as item_selectors
from shelfmark.patrons import access as patron_access
from shelfmark.patrons.models import Patron


@dataclass(frozen=True)
class ScanRow:
    """One line of the scan list: the loan made, or the refusal with its code and whether staff may override it."""

    scan: str
    loan: Loan | None = None
    message: str = ""
    code: str = ""
    overridable: bool = False


@require_GET
@desk_view
def checkout(request: HttpRequest, *, place: Place) -> HttpResponse:
    """Ask for a reader card; a scanned card opens that reader's check-out page."""
    form = CardForm(request.GET if "card" in request.GET else None)
    error, status = "", 200
    if form.is_valid():
        try:
            patron = patron_access.get_patron_for_staff(request.user, card=form.cleaned_data["card"])
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            return redirect("circulation:reader", patron_id=patron.pk)
    elif form.is_bound:
        error, status = first_error(form)[1], 400
    return render(
        request, "circulation/checkout.html", {"place": place, "card_form": form, "card_error": error}, status=status
    )


@require_GET
@desk_view
def reader(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Show the reader panel with the item scan field ready for the first copy."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    context = {
        "place": place,
        "panel": reader_panel(request.user, patron, place),
        "card_form": CardForm(),
        "scan_form": ScanForm(),
    }
    return render(request, "circulation/reader.html", context)


@require_POST
@desk_view
def checkout_scan(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Lend the scanned copy to the reader at the desk's library, or show why not (and offer an override)."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    form = ScanForm(request.POST)
    scan = str(request.POST.get("scan", ""))[:300].strip()
    if not form.is_valid():
        row, status = ScanRow(scan=scan, message=first_error(form)[1], code="invalid_input"), 400
    else:
        row, status = _lend(request, place, patron, form.cleaned_data["scan"], form.cleaned_data["override_reason"])
    context = {
        "place": place,
        "panel": reader_panel(request.user, patron, place),
        "row": row,
        "results": [row],
        "card_form": CardForm(),
        "scan_form": ScanForm(),
    }
    template = "circulation/partials/checkout_scan.html" if is_htmx(request) else "circulation/reader.html"
    return render(request, template, context, status=status)


def _lend(request: HttpRequest, place: Place, patron: Patron, scan: str, reason: str) -> tuple[ScanRow, int]:
    try:
        item = item_selectors.find_item_by_scan(scan)
        loan = services.check_out(
            item=item,
            patron=patron,
            library=place.library,
            service_point=place.service_point,
            actor=request.user,
            override_reason=reason,
        )
    except DomainError as exc:
        overridable = bool(getattr(exc, "overridable", False)) and permissions.has_perm(
            request.user, "circulation.override", place.library
        )
        return ScanRow(scan=scan, message=exc.message, code=exc.code, overridable=overridable), exc.status
    return ScanRow(scan=scan, loan=loan), 200
