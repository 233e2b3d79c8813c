"""Actions on a reader's loans at the desk: renew one or all, declare lost, record a claim of return."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shelfmark.circulation import selectors, services
from shelfmark.circulation.forms import LoanForm, OverrideForm
from shelfmark.circulation.models import Loan
from shelfmark.circulation.views._desk import Place, desk_view
from shelfmark.circulation.views._reader import ActionError, answer_with_panel, form_error
from shelfmark.core.errors import DomainError
from shelfmark.patrons import access as patron_access


def _loan_action(
    request: HttpRequest, patron_id: int, place: Place, name: str, act: Callable[[Loan], str]
) -> HttpResponse:
    """Run `act` on one of this reader's active loans named by the form, showing its refusal beside the loan."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    form = LoanForm(request.POST)
    if not form.is_valid():
        return answer_with_panel(
            request, place=place, patron=patron, error=form_error(form, name, target="loan"), status=400
        )
    loan = selectors.active_loans(patron).filter(pk=form.cleaned_data["loan"]).first()
    if loan is None:
        error = ActionError(
            form=name,
            field="loan",
            message=_("该读者没有编号为 {loan} 的在借记录。").format(loan=form.cleaned_data["loan"]),
        )
        return answer_with_panel(request, place=place, patron=patron, error=error, status=404)
    try:
        line = act(loan)
    except DomainError as exc:
        error = ActionError(
            form=name,
            message=exc.message,
            field=exc.field,
            target=loan.pk,
            overridable=bool(getattr(exc, "overridable", False)),
        )
        return answer_with_panel(request, place=place, patron=patron, error=error, status=exc.status)
    return answer_with_panel(request, place=place, patron=patron, lines=[line])


@require_POST
@desk_view
def renew(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Renew one loan from today; staff with circulation.override may give a reason to pass a refusal."""
    reason = str(request.POST.get("override_reason", ""))[:200]

    def act(loan: Loan) -> str:
        renewed = services.renew(loan=loan, actor=request.user, library=place.library, override_reason=reason)
        return _("{barcode} 已续借，应还日期 {due}。").format(
            barcode=renewed.item.barcode, due=renewed.due_on.isoformat()
        )

    return _loan_action(request, patron_id, place, "renew", act)


@require_POST
@desk_view
def renew_all(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Renew every loan of the reader, each on its own, and say for each what happened."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    form = OverrideForm(request.POST)
    reason = form.cleaned_data["override_reason"] if form.is_valid() else ""
    lines = [_renew_line(request, place, loan, reason) for loan in selectors.active_loans(patron)]
    return answer_with_panel(request, place=place, patron=patron, lines=lines or [_("该读者没有在借图书。")])


def _renew_line(request: HttpRequest, place: Place, loan: Loan, reason: str) -> str:
    try:
        renewed = services.renew(loan=loan, actor=request.user, library=place.library, override_reason=reason)
    except DomainError as exc:
        return _("{barcode} 未续借：{message}").format(barcode=loan.item.barcode, message=exc.message)
    return _("{barcode} 已续借，应还日期 {due}。").format(barcode=renewed.item.barcode, due=renewed.due_on.isoformat())


@require_POST
@desk_view
def mark_lost(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Declare a loaned copy lost: the reader is charged its price and a fee."""

    def act(loan: Loan) -> str:
        services.mark_lost(loan=loan, actor=request.user, library=place.library)
        return _("{barcode} 已登记丢失，已产生赔偿费用。").format(barcode=loan.item.barcode)

    return _loan_action(request, patron_id, place, "lost", act)


@require_POST
@desk_view
def claim_returned(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Record the reader's claim to have returned a copy: the loan stops, the copy is looked for."""

    def act(loan: Loan) -> str:
        services.claim_returned(loan=loan, actor=request.user, library=place.library)
        return _("{barcode} 已登记为读者声称已还，单册标为下落不明。").format(barcode=loan.item.barcode)

    return _loan_action(request, patron_id, place, "claimed", act)
