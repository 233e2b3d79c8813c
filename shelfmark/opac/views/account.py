"""My account: loans with renew, bookings with cancel, fines, credit standing, history opt-in, contact details.

Every change is a POST with CSRF. A loan or booking id that is not the reader's own changes nothing and says
so. Plain posts redirect back to the account on success and re-render it with the refusal otherwise; htmx
posts get the changed row back (status 200 even for a refusal, since htmx does not swap error responses).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelfmark.circulation import services as circulation
from shelfmark.core.errors import DomainError
from shelfmark.opac import selectors, wording
from shelfmark.opac.session import ReaderRequest, reader_required
from shelfmark.opac.views._page import idempotency_key, is_htmx, new_form_key, render_account
from shelfmark.patrons import services as patron_services


def _back(anchor: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('opac:account')}#{anchor}", status=303)


@require_GET
@reader_required
def account(request: ReaderRequest) -> HttpResponse:
    """Show the reader everything about their account on one page (sections with anchors, no script needed)."""
    return render_account(request, request.patron)


@require_POST
@reader_required
def renew(request: ReaderRequest, loan_id: int) -> HttpResponse:
    """Renew one of the reader's loans, or say why not (others waiting, renewals used up, blocked)."""
    patron = request.patron
    loan = selectors.own_loan(patron, loan_id)
    if loan is None:
        return _not_yours(request, _("这笔借阅不在您的账户中，没有做任何更改。"))
    key = idempotency_key(request, patron, "renew", loan.pk)
    refusal: DomainError | None = None
    try:
        loan = circulation.renew(loan=loan, actor=patron, idempotency_key=key)
        note = _("已续借，新的应还日期是 {date}。").format(date=loan.due_on.isoformat())
    except DomainError as exc:
        refusal, note = exc, wording.refusal_text(exc, patron=patron)
    if is_htmx(request):
        line = selectors.loan_line(selectors.own_loan(patron, loan.pk) or loan, today=timezone.localdate())
        context = {"line": line, "note": note, "ok": refusal is None, "form_key": new_form_key}
        return render(request, "opac/partials/loan_row.html", context)
    said = wording.about(loan.item.record.title, note)
    if refusal is None:
        messages.success(request, said)
        return _back("loans")
    return render_account(request, patron, alert=said, status=refusal.status)


@require_POST
@reader_required
def renew_all(request: ReaderRequest) -> HttpResponse:
    """Try to renew every loan of the reader and report each one, renewed or refused."""
    patron = request.patron
    for line in selectors.loans(patron):
        title = line.loan.item.record.title
        key = idempotency_key(request, patron, "renew-all", line.loan.pk)
        try:
            renewed = circulation.renew(loan=line.loan, actor=patron, idempotency_key=key)
        except DomainError as exc:
            messages.error(request, wording.about(title, wording.refusal_text(exc, patron=patron)))
        else:
            text = _("已续借，新的应还日期是 {date}。").format(date=renewed.due_on.isoformat())
            messages.success(request, wording.about(title, text))
    return _back("loans")


@require_POST
@reader_required
def cancel_hold(request: ReaderRequest, hold_id: int) -> HttpResponse:
    """Cancel one of the reader's bookings."""
    patron = request.patron
    hold = selectors.own_hold(patron, hold_id)
    if hold is None:
        return _not_yours(request, _("这个预约不在您的账户中，没有做任何更改。"))
    refusal: DomainError | None = None
    try:
        hold = circulation.cancel_hold(hold=hold, actor=patron, reason="读者在线取消")
        note = _("预约已取消。")
    except DomainError as exc:
        refusal, note = exc, wording.refusal_text(exc, patron=patron)
    if is_htmx(request):
        line = selectors.hold_line(selectors.own_hold(patron, hold.pk) or hold)
        context = {"line": line, "note": note, "ok": refusal is None, "form_key": new_form_key}
        return render(request, "opac/partials/hold_row.html", context)
    said = wording.about(hold.record.title, note)
    if refusal is None:
        messages.success(request, said)
        return _back("holds")
    return render_account(request, patron, alert=said, status=refusal.status)


@require_POST
@reader_required
def history_choice(request: ReaderRequest) -> HttpResponse:
    """Record whether the reader wants their returned loans kept as a reading history."""
    opt_in = request.POST.get("opt_in") == "1"
    patron_services.set_history_opt_in(patron=request.patron, opt_in=opt_in, actor=request.patron)
    if opt_in:
        messages.success(request, _("已开启借阅历史：今后归还的图书会保留在您的借阅历史中。"))
    else:
        messages.success(request, _("已关闭借阅历史：今后归还的图书在归还时即去除与您的关联。"))
    return _back("history")


def _not_yours(request: ReaderRequest, text: str) -> HttpResponse:
    """Refuse an id that is not the reader's own (or does not exist) without telling which."""
    if is_htmx(request):
        return render(request, "opac/partials/alert.html", {"alert": text})
    return render_account(request, request.patron, alert=text, status=404)
