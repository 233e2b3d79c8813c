"""Fines endpoints under /api/v1/fines/: a reader's charges, payments at any desk, waivers at the home library."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth_is_staff

from shelfmark.fines import access, selectors, services
from shelfmark.fines.models import Charge, Payment
from shelfmark.fines.schemas import (
    AllocationOut,
    ChargeIn,
    ChargeOut,
    ChargesOut,
    ErrorOut,
    PaymentIn,
    PaymentOut,
    WaiverIn,
    WaiverOut,
)
from shelfmark.patrons.selectors import get_patron

router = Router(tags=["fines"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
AUTH = django_auth_is_staff


@router.get("/patrons/{int:patron_id}/charges", response={200: ChargesOut, **ERRORS}, auth=AUTH)
def list_charges(request: HttpRequest, patron_id: int, include_settled: bool = False) -> ChargesOut:
    """Return the reader's outstanding charges, oldest first (settled ones too with ?include_settled=true)."""
    patron = access.get_patron_for_view(request.user, patron_id)
    charges = selectors.history(patron) if include_settled else selectors.outstanding(patron)
    return ChargesOut(owed=patron.fines_owed, charges=[charge_out(c) for c in charges])


@router.post("/patrons/{int:patron_id}/charges", response={201: ChargeOut, **ERRORS}, auth=AUTH)
def add_charge(request: HttpRequest, patron_id: int, payload: ChargeIn) -> Status:
    """Charge the reader by hand, e.g. for a damaged item (patrons.edit at the home library)."""
    patron = access.get_patron_for_charging(request.user, patron_id)
    charge = services.add_charge(
        patron=patron, kind=payload.kind, amount=payload.amount, source="", note=payload.note, actor=request.user
    )
    return Status(201, charge_out(charge))


@router.get("/patrons/{int:patron_id}/payments", response={200: list[PaymentOut], **ERRORS}, auth=AUTH)
def list_payments(request: HttpRequest, patron_id: int) -> list[PaymentOut]:
    """Return the reader's payments, oldest first, with the charges each settled."""
    patron = access.get_patron_for_view(request.user, patron_id)
    return [payment_out(p, owed=patron.fines_owed) for p in selectors.payments(patron)]


@router.post("/patrons/{int:patron_id}/payments", response={201: PaymentOut, **ERRORS}, auth=AUTH)
def pay(request: HttpRequest, patron_id: int, payload: PaymentIn) -> Status:
    """Take a payment at any desk; it settles the oldest charges first, and more than is owed is refused."""
    patron = access.get_patron_for_payment(request.user, patron_id)
    payment = services.pay(
        patron=patron, amount=payload.amount, method=payload.method, note=payload.note, actor=request.user
    )
    return Status(201, payment_out(payment, owed=get_patron(patron.pk).fines_owed))


@router.post("/charges/{int:charge_id}/waive", response={201: WaiverOut, **ERRORS}, auth=AUTH)
def waive(request: HttpRequest, charge_id: int, payload: WaiverIn) -> Status:
    """Waive part or all of a charge with a reason (patrons.edit at the reader's home library)."""
    charge = access.get_charge_for_waiver(request.user, charge_id)
    waiver = services.waive(charge=charge, amount=payload.amount, reason=payload.reason, actor=request.user)
    remaining = Charge.objects.get(pk=charge.pk).outstanding
    return Status(
        201,
        WaiverOut(
            id=waiver.pk,
            charge=charge.pk,
            amount=waiver.amount,
            reason=waiver.reason,
            created_at=waiver.created_at,
            outstanding=remaining,
        ),
    )


def charge_out(charge: Charge) -> ChargeOut:
    """Shape a charge for the API."""
    return ChargeOut(
        id=charge.pk,
        kind=charge.kind,
        kind_label=str(charge.get_kind_display()),
        amount=charge.amount,
        paid=charge.paid,
        waived=charge.waived,
        outstanding=charge.outstanding,
        source=charge.source,
        note=charge.note,
        created_at=charge.created_at,
    )


def payment_out(payment: Payment, *, owed: Decimal) -> PaymentOut:
    """Shape a payment with its allocations for the API."""
    return PaymentOut(
        id=payment.pk,
        amount=payment.amount,
        method=payment.method,
        created_at=payment.created_at,
        allocations=[AllocationOut(charge=a.charge_id, amount=a.amount) for a in payment.allocations.all()],
        owed=owed,
    )
