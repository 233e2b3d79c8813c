"""The record page and booking a title (约书): the full description, where its copies are, the booking form with a
pickup library or home delivery, similar titles, a share link with QR code, and schema.org JSON-LD."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelfmark.catalog.models import Record
from shelfmark.catalog.search import selectors as search
from shelfmark.circulation import services as circulation
from shelfmark.core.errors import DomainError, InvalidInput
from shelfmark.holdings import selectors as holdings
from shelfmark.opac import discovery, selectors, wording
from shelfmark.opac.forms import HoldForm
from shelfmark.opac.session import ReaderRequest, reader_required
from shelfmark.opac.templatetags.opac import place
from shelfmark.patrons.auth import current_patron

PER_PAGE = 10
MAX_QUERY = 200


@require_GET
@reader_required
def find(request: ReaderRequest) -> HttpResponse:
    """Search the catalogue by title for a book to book, with copies on the shelf per library."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    context: dict[str, object] = {"reader": request.patron, "q": q, "hits": [], "total": 0}
    if q:
        try:
            result = search.search(q, page=1, per_page=PER_PAGE, facets=False)
        except InvalidInput:
            context["error"] = _("无法理解这个检索词，请换一种写法。")
            return render(request, "opac/find.html", context, status=400)
        places = holdings.availability_for_records([record.pk for record in result.hits])
        context.update(hits=[(record, places.get(record.pk, [])) for record in result.hits], total=result.total)
    return render(request, "opac/find.html", context)


@require_GET
def record(request: HttpRequest, record_id: int) -> HttpResponse:
    """Show a title, where its copies are, and the booking form to a logged-in reader (a login link otherwise)."""
    found = _record(record_id)
    patron = current_patron(request)
    form = HoldForm(patron=patron) if patron is not None else None
    return _record_page(request, found, patron=patron, form=form)


@require_POST
@reader_required
def place_hold(request: ReaderRequest, record_id: int) -> HttpResponse:
    """Book the title for the chosen pickup library (or home delivery), or say why it cannot be booked."""
    patron = request.patron
    found = _record(record_id)
    form = HoldForm(request.POST, patron=patron)
    if not form.is_valid():
        return _record_page(request, found, patron=patron, form=form, status=400)
    try:
        hold = circulation.place_hold(
            patron=patron,
            record=found,
            actor=patron,
            pickup_library=form.pickup_library(),
            home_delivery=form.home_delivery(),
        )
    except DomainError as exc:
        alert = wording.refusal_text(exc, patron=patron)
        return _record_page(request, found, patron=patron, form=form, alert=alert, status=exc.status)
    where = _("送书上门") if hold.home_delivery else place(hold.pickup_library)
    messages.success(request, _("《{title}》已预约，取书地点：{where}。").format(title=found.title, where=where))
    return HttpResponseRedirect(f"{reverse('opac:account')}#holds", status=303)


def _record(record_id: int) -> Record:
    try:
        # The MARC record is read too: edition, extent, series and notes live only there.
        return Record.objects.get(pk=record_id)
    except Record.DoesNotExist:
        raise Http404(_("没有这条书目。")) from None


def _record_page(
    request: HttpRequest,
    found: Record,
    *,
    patron: object,
    form: HoldForm | None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    description = discovery.describe(found)
    share_url = discovery.record_url(found)
    context = {
        "record": found,
        "reader": patron,
        "form": form,
        "alert": alert,
        "copies": selectors.copies(found),
        "description": description,
        "similar": discovery.similar(found),
        "book": discovery.book_json_ld(found, description),
        "share_url": share_url,
        "qr_svg": discovery.qr_svg(share_url),
    }
    return render(request, "opac/record.html", context, status=status)
