"""Check out: lend an item to a reader under the rule that applies, or refuse with a typed reason."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.circulation import selectors
from shelfmark.circulation.errors import (
    DepositRequired,
    ItemAlreadyOnLoan,
    ItemNotAvailable,
    ItemNotLoanable,
    ItemOnHoldForAnother,
    LoanLimitReached,
    PatronBlocked,
)
from shelfmark.circulation.models import CirculationEvent, Hold, Loan
from shelfmark.circulation.rules import local_date
from shelfmark.circulation.services import idempotency
from shelfmark.circulation.services._common import log_event, refuse_unless_overridden
from shelfmark.core import events, rows
from shelfmark.holdings import selectors as item_selectors
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library, ServicePoint
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron
from shelfmark.patrons.pseudonym import reader_key
from shelfmark.patrons.rules import OVERDUE, Block

DEFAULT_ITEM_PRICE = Decimal("50.00")


def check_out(
    *,
    item: Item,
    patron: Patron,
    library: Library,
    actor: Any,
    service_point: ServicePoint | None = None,
    override_reason: str = "",
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Loan:
    """Lend `item` to `patron` at `library`; a retry with the same idempotency key returns the same loan.

    Refusals that staff may override (blocks, limits, not loanable, held for another) pass when
    `override_reason` is given by someone with circulation.override there; the reason is kept on the loan.
    """
    now = now or timezone.now()
    with transaction.atomic():
        return idempotency.once(
            key=idempotency_key,
            operation="check_out",
            request=idempotency.digest(item.pk, patron.pk),
            actor=actor,
            now=now,
            run=lambda: _check_out(item, patron, library, actor, service_point, override_reason, now),
            result_of=lambda loan: {"loan_id": loan.pk},
            replay=lambda stored: Loan.objects.select_related("item").get(pk=stored["loan_id"]),
        )


def _check_out(
    item: Item,
    patron: Patron,
    library: Library,
    actor: Any,
    service_point: ServicePoint | None,
    override_reason: str,
    now: datetime,
) -> Loan:
    item = item_selectors.lock_item(item.pk)
    patron = patron_selectors.lock_patron(patron.pk)
    overridden: list[str] = []

    def refuse(refusal: Any) -> None:
        refuse_unless_overridden(
            refusal, override_reason=override_reason, actor=actor, library=library, overridden=overridden
        )

    held = _check_item(item, patron, refuse)
    load = selectors.reader_load(patron_id=patron.pk, record_id=item.record_id, today=local_date(now))
    blocks = patron_selectors.blocks(patron, now=now, stored=load.stored_blocks > 0)
    if load.overdue:
        blocks.append(Block(OVERDUE, _("{count} items are overdue.").format(count=load.overdue)))
    if blocks:
        refuse(PatronBlocked(reasons="; ".join(block.reason for block in blocks)))
    rule = selectors.rule_for(library=library, patron_category=patron.category, item_type=item.item_type).rule
    if not rule.loanable:
        refuse(ItemNotLoanable(barcode=item.barcode))
    standing = patron_selectors.standing(patron)
    limit = standing.loan_limit(rule.max_loans)
    if load.loans >= limit:
        refuse(LoanLimitReached(count=load.loans, limit=limit))
    if not standing.deposit_free:
        needed = _deposit_needed(patron, item)
        if patron_selectors.deposit_balance(patron) < needed:
            refuse(DepositRequired(amount=needed))
    loan = rows.insert(
        Loan(
            item=item,
            patron=patron,
            reader_key=reader_key(patron),
            patron_category=patron.category,
            library=library,
            service_point=service_point,
            checked_out_at=now,
            due_on=selectors.due_date_at(library=library, start=now, loan_days=rule.loan_days),
            rule=rule,
            max_renewals=rule.renewals,
            loan_days=rule.loan_days,
            fine_per_day=rule.fine_per_day,
            fine_cap=rule.fine_cap,
            grace_days=rule.grace_days,
            override_reason=override_reason.strip()[:200] if overridden else "",
        )
    )
    # loan.created below names the item and the library; the item's history row keeps the rest.
    item_services.change_status(
        item=item, status=ItemStatus.ON_LOAN, actor=actor, library=library, audit=False, now=now
    )
    _fulfil_holds(patron=patron, item=item, held=held, own_waiting=load.waiting_holds, now=now)
    log_event(
        CirculationEvent.Kind.CHECK_OUT,
        reader_key=loan.reader_key,
        patron_category=patron.category,
        item=item,
        library=library,
        now=now,
    )
    data: dict[str, Any] = {"barcode": item.barcode, "library": library.code, "due_on": loan.due_on.isoformat()}
    if overridden:
        data.update(overridden=overridden, override_reason=loan.override_reason)
    events.record("loan.created", actor=actor, target=loan, data=data, now=now)
    return loan


def _check_item(item: Item, patron: Patron, refuse: Any) -> Hold | None:
    """Refuse an item that cannot go out now; return the hold it fills when it waits for this reader."""
    if item.status == ItemStatus.ON_LOAN:
        active = Loan.objects.filter(item=item, status=Loan.Status.ACTIVE).values_list("patron_id", flat=True).first()
        to_whom = _(" to this reader") if active == patron.pk else ""
        refuse(ItemAlreadyOnLoan(barcode=item.barcode, to_whom=to_whom))
    if item.status in (ItemStatus.ON_HOLD_SHELF, ItemStatus.IN_TRANSIT):
        hold = (
            Hold.objects.select_for_update(of=("self",))
            .filter(trapped_item=item, status__in=(Hold.Status.READY, Hold.Status.IN_TRANSIT))
            .first()
        )
        if hold is not None and hold.patron_id == patron.pk:
            return hold
        if hold is not None:
            refuse(ItemOnHoldForAnother(barcode=item.barcode))
            return hold
        refuse(ItemNotAvailable(barcode=item.barcode, status=item.get_status_display()))
        return None
    if item.status != ItemStatus.AVAILABLE:
        refuse(ItemNotAvailable(barcode=item.barcode, status=item.get_status_display()))
    return None


def _fulfil_holds(*, patron: Patron, item: Item, held: Hold | None, own_waiting: int, now: datetime) -> None:
    """Close the hold this copy was trapped for, and the reader's own waiting booking of the same title."""
    if held is not None and held.patron_id == patron.pk:
        Hold.objects.filter(pk=held.pk).update(
            status=Hold.Status.FULFILLED, trapped_item=item, closed_at=now, expires_on=None
        )
    elif held is not None:
        # Lent to someone else by override: the other reader's hold goes back to the queue, untrapped.
        Hold.objects.filter(pk=held.pk).update(
            status=Hold.Status.WAITING, trapped_item=None, closed_at=None, expires_on=None, ready_at=None
        )
    if own_waiting:
        Hold.objects.filter(patron=patron, record_id=item.record_id, status=Hold.Status.WAITING).filter(
            Q(item__isnull=True) | Q(item=item)
        ).update(status=Hold.Status.FULFILLED, trapped_item=item, closed_at=now)


def _deposit_needed(patron: Patron, item: Item) -> Decimal:
    """Deposit covering the price of everything the reader would have out, this item included."""
    default = Decimal(str(getattr(settings, "SHELFMARK_DEFAULT_ITEM_PRICE", DEFAULT_ITEM_PRICE)))
    out = Loan.objects.filter(patron=patron, status=Loan.Status.ACTIVE).aggregate(
        priced=Sum("item__price"), unpriced=Count("id", filter=Q(item__price__isnull=True))
    )
    return (out["priced"] or Decimal(0)) + default * out["unpriced"] + (item.price or default)
