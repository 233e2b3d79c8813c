"""A reader's interlibrary loans: ask for a title the network cannot lend now, follow the request, call it off.

The request goes to the reader's home library, which finds a lender (staff queue under /staff/ill/); the copy is
collected at the pickup library the reader chose and lent there through the normal circulation rules.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shelfmark.catalog.models import Record
from shelfmark.core.errors import DomainError
from shelfmark.ill import selectors as ill_selectors
from shelfmark.ill import services as ill
from shelfmark.ill.models import Status
from shelfmark.opac import wording
from shelfmark.opac.forms import InterlibraryLoanForm
from shelfmark.opac.session import ReaderRequest, reader_required
from shelfmark.patrons.models import Patron

# What a reader may still call off: nothing has been shipped yet.
CANCELLABLE = frozenset({Status.REQUESTED, Status.ACCEPTED, Status.REFUSED})


@require_http_methods(["GET", "POST"])
@reader_required
def requests(request: ReaderRequest) -> HttpResponse:
    """List the reader's requests and offer the form; a post files a new request."""
    patron = request.patron
    if request.method == "GET":
        form = InterlibraryLoanForm(initial=_citation(request.GET.get("record", "")), patron=patron)
        return _page(request, patron, form)
    form = InterlibraryLoanForm(request.POST, patron=patron)
    if not form.is_valid():
        return _page(request, patron, form, status=400)
    data = form.cleaned_data
    record = None
    if data["record"]:
        record = Record.objects.filter(pk=data["record"]).first()
        if record is None:
            form.add_error(None, _("书目记录 {id} 不存在，请直接填写题名等信息。").format(id=data["record"]))
            return _page(request, patron, form, status=400)
    try:
        filed = ill.request_item(
            requesting_library=patron.home_library,
            actor=patron,
            patron=patron,
            record=record,
            title=data["title"],
            author=data["author"],
            isbn=data["isbn"],
            publisher=data["publisher"],
            year=data["year"],
            pickup_library=form.pickup_library(),
            needed_by=data["needed_by"],
            note=data["note"],
        )
    except DomainError as exc:
        field = getattr(exc, "field", None)
        form.add_error(field if field in form.fields else None, wording.refusal_text(exc, patron=patron))
        return _page(request, patron, form, status=exc.status)
    messages.success(
        request,
        _("《{title}》的馆际互借申请已提交（申请号 {id}），图书到馆后会通知您到{where}取书。").format(
            title=filed.title, id=filed.pk, where=filed.pickup_library.name if filed.pickup_library else ""
        ),
    )
    return HttpResponseRedirect(reverse("opac:ill"), status=303)


@require_POST
@reader_required
def cancel(request: ReaderRequest, request_id: int) -> HttpResponse:
    """Call off one of the reader's own requests that has not been shipped yet."""
    patron = request.patron
    own = ill_selectors.reader_requests(patron).filter(pk=request_id).first()
    if own is None:
        messages.error(request, _("这条馆际互借申请不在您的账户中，没有做任何更改。"))
        return HttpResponseRedirect(reverse("opac:ill"), status=303)
    if own.status not in CANCELLABLE:
        messages.error(
            request,
            _("《{title}》已经寄出，不能再取消；到馆后可以不借，图书会寄还。").format(title=own.title),
        )
        return HttpResponseRedirect(reverse("opac:ill"), status=303)
    try:
        ill.cancel(request=own, actor=patron, reason=_("读者取消"))
    except DomainError as exc:
        messages.error(request, wording.about(own.title, wording.refusal_text(exc, patron=patron)))
    else:
        messages.success(request, _("《{title}》的馆际互借申请已取消。").format(title=own.title))
    return HttpResponseRedirect(reverse("opac:ill"), status=303)


def _citation(record_id: str) -> dict[str, Any]:
    """Fill the form from a catalogue record when the reader came from its page (`?record=<id>`)."""
    if not record_id.isdigit():
        return {}
    record = Record.objects.filter(pk=int(record_id)).first()
    if record is None:
        return {}
    return {
        "record": record.pk,
        "title": record.title,
        "author": record.authors[0] if record.authors else record.responsibility,
        "isbn": record.isbn,
        "publisher": record.publisher,
        "year": record.year,
    }


def _page(request: ReaderRequest, patron: Patron, form: InterlibraryLoanForm, *, status: int = 200) -> HttpResponse:
    lines = list(ill_selectors.reader_requests(patron).order_by("-created_at", "-id")[:100])
    context = {"reader": patron, "form": form, "requests": lines, "cancellable": CANCELLABLE}
    return render(request, "opac/ill.html", context, status=status)
