"""Check-in screen: scan returned copies one after another; each row says the fine and where the copy goes now."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shelfmark.circulation import services
from shelfmark.circulation.forms import ScanForm, first_error
from shelfmark.circulation.services import CheckInResult
from shelfmark.circulation.views._desk import Place, desk_view, is_htmx
from shelfmark.core.errors import DomainError
from shelfmark.holdings import selectors as item_selectors


@dataclass(frozen=True)
class ReturnRow:
    """One line of the return list: what check-in did with the copy, or why the scan failed."""

    scan: str
    result: CheckInResult | None = None
    message: str = ""
    code: str = ""


@desk_view
def checkin(request: HttpRequest, *, place: Place) -> HttpResponse:
    """Show the return scan field; a posted scan checks the copy in at the desk's library."""
    if request.method != "POST":
        return render(request, "circulation/checkin.html", {"place": place, "scan_form": ScanForm(), "results": []})
    form = ScanForm(request.POST)
    scan = str(request.POST.get("scan", ""))[:300].strip()
    if form.is_valid():
        row, status = _take_back(request, place, form.cleaned_data["scan"])
    else:
        row, status = (
            ReturnRow(scan=scan, message=first_error(form)[1], code="invalid_input"),
            400,
        )
    context = {"place": place, "scan_form": ScanForm(), "row": row, "results": [row]}
    template = "circulation/partials/checkin_row.html" if is_htmx(request) else "circulation/checkin.html"
    return render(request, template, context, status=status)


def _take_back(request: HttpRequest, place: Place, scan: str) -> tuple[ReturnRow, int]:
    try:
        item = item_selectors.find_item_by_scan(scan)
        result = services.check_in(
            item=item, library=place.library, service_point=place.service_point, actor=request.user
        )
    except DomainError as exc:
        return ReturnRow(scan=scan, message=exc.message, code=exc.code), exc.status
    return ReturnRow(scan=scan, result=result), 200
