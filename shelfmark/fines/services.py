"""Writes to fines: charges (idempotent per source and kind), overdue accrual, payments oldest first, waivers.

Every service locks the reader's row first, so all money moves of one reader are serialised and
`Patron.fines_owed` moves by exactly what the charges moved, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.fines.errors import ChargeBelowSettled, ChargeConflict, OverPayment, WaiverTooLarge
from shelfmark.fines.models import (
    ZERO,
    Charge,
    ChargeKind,
    Payment,
    PaymentAllocation,
    PaymentMethod,
    Waiver,
    outstanding_q,
)
from shelfmark.patrons.models import Patron
from shelfmark.patrons.money import to_amount
from shelfmark.patrons.selectors import lock_patron
from shelfmark.patrons.services import add_to_fines_owed


@transaction.atomic
def add_charge(
    *,
    patron: Patron,
    kind: str,
    amount: Decimal | str,
    source: str,
    actor: Any,
    note: str = "",
    now: datetime | None = None,
) -> Charge:
    """Charge the reader; the same (source, kind) again returns the first charge (a retry), never a second one."""
    value = to_amount(amount)
    if kind not in ChargeKind.values:
        raise InvalidInput(_("Unknown charge kind {kind!r}.").format(kind=kind), field="kind")
    source = (source or "").strip()
    locked = lock_patron(patron.pk)
    if source:
        existing = Charge.objects.filter(source=source, kind=kind).first()
        if existing is not None:
            if (existing.patron_id, existing.amount) != (locked.pk, value):
                raise ChargeConflict(field="source", kind=kind, source=source, amount=existing.amount)
            return existing
    return _create(locked, kind=kind, amount=value, source=source, note=note, actor=actor, now=now)


@transaction.atomic
def set_overdue_amount(
    *, patron: Patron, source: str, amount: Decimal | str, actor: Any, now: datetime | None = None
) -> Charge | None:
    """Bring the overdue charge of `source` to `amount` (the caller applies the cap); None when 0 and no charge."""
    value = to_amount(amount, allow_zero=True)
    now = now or timezone.now()
    locked = lock_patron(patron.pk)
    charge = Charge.objects.select_for_update().filter(source=source, kind=ChargeKind.OVERDUE).first()
    if charge is None:
        if value == 0:
            return None
        return _create(locked, kind=ChargeKind.OVERDUE, amount=value, source=source, note="", actor=actor, now=now)
    if charge.patron_id != locked.pk:
        raise ChargeConflict(field="source", kind=ChargeKind.OVERDUE, source=source, amount=charge.amount)
    settled = charge.paid + charge.waived
    if value < settled:
        raise ChargeBelowSettled(field="amount", amount=value, settled=settled)
    delta = value - charge.amount
    if delta:
        old = charge.amount
        charge.amount = value
        charge.updated_at = now
        charge.save(update_fields=["amount", "updated_at"])
        add_to_fines_owed(patron=locked, delta=delta)
        events.record(
            "fines.charge_amount_changed",
            actor=actor,
            target=charge,
            data={"patron": locked.pk, "from": str(old), "to": str(value)},
            now=now,
        )
    return charge


@transaction.atomic
def pay(
    *,
    patron: Patron,
    amount: Decimal | str,
    actor: Any,
    method: str = PaymentMethod.CASH,
    note: str = "",
    now: datetime | None = None,
) -> Payment:
    """Take a payment and settle the reader's charges oldest first; more than is owed is refused, nothing taken."""
    value = to_amount(amount)
    if method not in PaymentMethod.values:
        raise InvalidInput(
            _("Unknown payment method {method!r}; use one of {choices}.").format(
                method=method, choices=", ".join(PaymentMethod.values)
            ),
            field="method",
        )
    now = now or timezone.now()
    locked = lock_patron(patron.pk)
    charges = list(
        Charge.objects.select_for_update().filter(outstanding_q(), patron=locked).order_by("created_at", "id")
    )
    owed = sum((c.outstanding for c in charges), ZERO)
    if value > owed:
        raise OverPayment(field="amount", amount=value, owed=owed)
    payment = Payment.objects.create(
        patron=locked,
        amount=value,
        method=method,
        note=(note or "").strip()[:200],
        actor=events.staff_user(actor),
        created_at=now,
    )
    allocations, remaining = [], value
    for charge in charges:
        if remaining == 0:
            break
        part = min(remaining, charge.outstanding)
        charge.paid += part
        charge.updated_at = now
        allocations.append(PaymentAllocation(payment=payment, charge=charge, amount=part))
        remaining -= part
    Charge.objects.bulk_update([a.charge for a in allocations], ["paid", "updated_at"])
    PaymentAllocation.objects.bulk_create(allocations)
    add_to_fines_owed(patron=locked, delta=-value)
    events.record(
        "fines.payment_made",
        actor=actor,
        target=payment,
        data={
            "patron": locked.pk,
            "amount": str(value),
            "method": method,
            "allocations": {str(a.charge.pk): str(a.amount) for a in allocations},
        },
        now=now,
    )
    return payment


@transaction.atomic
def waive(
    *,
    charge: Charge,
    actor: Any,
    reason: str,
    amount: Decimal | str | None = None,
    now: datetime | None = None,
) -> Waiver:
    """Forgive part of a charge, or all that is outstanding when `amount` is None; the reason is required."""
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(_("Say why the charge is waived."), field="reason")
    value = None if amount is None else to_amount(amount)
    now = now or timezone.now()
    locked_patron = lock_patron(charge.patron_id)
    locked = Charge.objects.select_for_update().get(pk=charge.pk)
    outstanding = locked.outstanding
    value = outstanding if value is None else value
    if value <= 0 or value > outstanding:
        raise WaiverTooLarge(field="amount", outstanding=outstanding, amount=value)
    locked.waived += value
    locked.updated_at = now
    locked.save(update_fields=["waived", "updated_at"])
    waiver = Waiver.objects.create(
        charge=locked, amount=value, reason=text[:300], actor=events.staff_user(actor), created_at=now
    )
    add_to_fines_owed(patron=locked_patron, delta=-value)
    events.record(
        "fines.charge_waived",
        actor=actor,
        target=locked,
        data={"patron": locked_patron.pk, "amount": str(value), "waiver": waiver.pk},
        now=now,
    )
    return waiver


def _create(
    patron: Patron, *, kind: str, amount: Decimal, source: str, note: str, actor: Any, now: datetime | None
) -> Charge:
    now = now or timezone.now()
    charge = Charge.objects.create(
        patron=patron,
        kind=kind,
        amount=amount,
        source=source,
        note=(note or "").strip()[:200],
        actor=events.staff_user(actor),
        created_at=now,
        updated_at=now,
    )
    add_to_fines_owed(patron=patron, delta=amount)
    events.record(
        "fines.charge_added",
        actor=actor,
        target=charge,
        data={"patron": patron.pk, "kind": kind, "amount": str(amount), "source": source},
        now=now,
    )
    return charge
