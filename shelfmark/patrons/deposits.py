"""The deposit ledger for readers whose credit does not allow deposit-free borrowing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.patrons.errors import DepositInsufficient
from shelfmark.patrons.models import DepositEntry, DepositKind, Patron
from shelfmark.patrons.money import to_amount
from shelfmark.patrons.selectors import deposit_balance, lock_patron

METHODS = ("cash", "wechat", "alipay", "unionpay", "transfer", "other")


@transaction.atomic
def take_deposit(
    *,
    patron: Patron,
    amount: Decimal | str,
    actor: Any,
    method: str = "cash",
    note: str = "",
    now: datetime | None = None,
) -> DepositEntry:
    """Record a deposit paid by the reader."""
    value = to_amount(amount)
    locked = lock_patron(patron.pk)
    entry = _entry(locked, DepositKind.TAKEN, value, actor=actor, method=method, note=note, now=now)
    events.record("patron.deposit_taken", actor=actor, target=locked, data=_data(entry), now=now)
    return entry


@transaction.atomic
def refund_deposit(
    *,
    patron: Patron,
    actor: Any,
    amount: Decimal | str | None = None,
    method: str = "cash",
    note: str = "",
    now: datetime | None = None,
) -> DepositEntry:
    """Refund part of the deposit, or all of it when `amount` is None; never more than the balance."""
    locked = lock_patron(patron.pk)  # serialises refunds of one reader, so the balance cannot go negative
    balance = deposit_balance(locked)
    value = balance if amount is None else to_amount(amount)
    if value <= 0 or value > balance:
        raise DepositInsufficient(field="amount", balance=balance, amount=value)
    entry = _entry(locked, DepositKind.REFUNDED, -value, actor=actor, method=method, note=note, now=now)
    events.record("patron.deposit_refunded", actor=actor, target=locked, data=_data(entry), now=now)
    return entry


def _entry(
    patron: Patron, kind: str, amount: Decimal, *, actor: Any, method: str, note: str, now: datetime | None
) -> DepositEntry:
    if method not in METHODS:
        raise InvalidInput(
            _("Unknown payment method {method!r}; use one of {choices}.").format(
                method=method, choices=", ".join(METHODS)
            ),
            field="method",
        )
    user = events.staff_user(actor)
    return DepositEntry.objects.create(
        patron=patron,
        kind=kind,
        amount=amount,
        method=method,
        note=(note or "").strip()[:200],
        actor=user,
        created_at=now or timezone.now(),
    )


def _data(entry: DepositEntry) -> dict[str, Any]:
    return {"entry": entry.pk, "amount": str(entry.amount), "method": entry.method}
