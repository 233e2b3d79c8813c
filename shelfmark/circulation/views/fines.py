"""Money at the desk: take a payment against what the reader owes, or waive a charge with a reason."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shelfmark.circulation.forms import PayForm, WaiveForm
from shelfmark.circulation.views._desk import Place, desk_view
from shelfmark.circulation.views._reader import ActionError, answer_with_panel, form_error
from shelfmark.core.errors import DomainError
from shelfmark.fines import access as fine_access
from shelfmark.fines import services as fine_services
from shelfmark.patrons import access as patron_access


@require_POST
@desk_view
def pay(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Take a payment; it settles the oldest charges first, and more than is owed is refused."""
    patron = fine_access.get_patron_for_payment(request.user, patron_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        return answer_with_panel(request, place=place, patron=patron, error=form_error(form, "pay"), status=400)
    try:
        payment = fine_services.pay(
            patron=patron,
            amount=form.cleaned_data["amount"],
            method=form.cleaned_data["method"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except DomainError as exc:
        error = ActionError(form="pay", message=exc.message, field=exc.field)
        return answer_with_panel(request, place=place, patron=patron, error=error, status=exc.status)
    patron.refresh_from_db()
    line = _("已收款 {amount} 元（{method}）。").format(amount=payment.amount, method=payment.get_method_display())
    return answer_with_panel(request, place=place, patron=patron, lines=[line])


@require_POST
@desk_view
def waive(request: HttpRequest, patron_id: int, *, place: Place) -> HttpResponse:
    """Waive all or part of one of the reader's charges; the reason is required and kept."""
    patron = patron_access.get_patron_for_staff(request.user, patron_id=patron_id)
    form = WaiveForm(request.POST)
    if not form.is_valid():
        return answer_with_panel(
            request, place=place, patron=patron, error=form_error(form, "waive", target="charge"), status=400
        )
    charge_id = form.cleaned_data["charge"]
    try:
        charge = fine_access.get_charge_for_waiver(request.user, charge_id)
        if charge.patron_id != patron.pk:
            raise DomainError(_("费用 {charge} 不属于该读者。").format(charge=charge_id), field="charge")
        waiver = fine_services.waive(
            charge=charge,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            amount=form.cleaned_data["amount"] or None,
        )
    except DomainError as exc:
        error = ActionError(form="waive", message=exc.message, field=exc.field, target=charge_id)
        return answer_with_panel(request, place=place, patron=patron, error=error, status=exc.status)
    patron.refresh_from_db()
    line = _("已减免 {amount} 元。").format(amount=waiver.amount)
    return answer_with_panel(request, place=place, patron=patron, lines=[line])
