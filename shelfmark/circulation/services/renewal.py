"""Renew: extend a loan from today under its own terms, unless the renewals are used up or others wait."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shelfmark.circulation import selectors
from shelfmark.circulation.errors import (
    LoanNotFound,
    PatronBlocked,
    RenewalLimitReached,
    RenewalRefusedHoldsWaiting,
)
from shelfmark.circulation.models import CirculationEvent, Hold, Loan
from shelfmark.circulation.rules import local_date
from shelfmark.circulation.services import idempotency
from shelfmark.circulation.services._common import log_event, refuse_unless_overridden
from shelfmark.core import events
from shelfmark.fines import services as fine_services
from shelfmark.holdings import selectors as item_selectors
from shelfmark.libraries.models import Library
from shelfmark.patrons import selectors as patron_selectors


def renew(
    *,
    loan: Loan,
    actor: Any,
    library: Library | None = None,
    override_reason: str = "",
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> Loan:
    """Extend `loan` to a new due date counted from today on the lending library's calendar."""
    now = now or timezone.now()
    with transaction.atomic():
        return idempotency.once(
            key=idempotency_key,
            operation="renew",
            request=idempotency.digest(loan.pk),
            actor=actor,
            now=now,
            run=lambda: _renew(loan, actor, library, override_reason, now),
            result_of=lambda renewed: {"loan_id": renewed.pk, "due_on": renewed.due_on.isoformat()},
            replay=lambda stored: Loan.objects.select_related("item").get(pk=stored["loan_id"]),
        )


def _settle_period_fine(loan: Loan, *, actor: Any, now: datetime) -> None:
    """Charge a late loan's fine up to today before the renewal starts a new loan period with its own charge."""
    today = local_date(now)
    if today <= loan.due_on or loan.patron is None:
        return
    amount = selectors.fine_at(terms=loan, library=loan.library, due=loan.due_on, returned=today)
    if amount > 0:
        fine_services.set_overdue_amount(
            patron=loan.patron, source=loan.fine_source, amount=amount, actor=actor, now=now
        )


def _renew(loan: Loan, actor: Any, library: Library | None, override_reason: str, now: datetime) -> Loan:
    item = item_selectors.lock_item(loan.item_id)
    loan = Loan.objects.select_for_update(of=("self",)).select_related("patron", "library").get(pk=loan.pk)
    loan.item = item
    if loan.status != Loan.Status.ACTIVE or loan.patron is None:
        raise LoanNotFound(barcode=item.barcode)
    where = library or loan.library
    overridden: list[str] = []

    def refuse(refusal: Any) -> None:
        refuse_unless_overridden(
            refusal, override_reason=override_reason, actor=actor, library=where, overridden=overridden
        )

    blocks = patron_selectors.blocks(loan.patron, now=now)
    if blocks:
        refuse(PatronBlocked(reasons="; ".join(block.reason for block in blocks)))
    if loan.renewals >= loan.max_renewals:
        refuse(RenewalLimitReached(barcode=item.barcode, count=loan.renewals, limit=loan.max_renewals))
    waiting = Hold.objects.filter(status=Hold.Status.WAITING).filter(
        Q(item=item) | Q(item__isnull=True, record_id=item.record_id)
    )
    if waiting.exists():
        refuse(RenewalRefusedHoldsWaiting(barcode=item.barcode))
    previous = loan.due_on
    _settle_period_fine(loan, actor=actor, now=now)
    due = selectors.due_date_at(library=loan.library, start=now, loan_days=loan.loan_days)
    loan.due_on = max(due, previous)
    loan.renewals += 1
    loan.save(update_fields=["due_on", "renewals"])
    log_event(
        CirculationEvent.Kind.RENEW,
        reader_key=loan.reader_key,
        patron_category=loan.patron_category,
        item=item,
        library=where,
        now=now,
    )
    data: dict[str, Any] = {"barcode": item.barcode, "from": previous.isoformat(), "to": loan.due_on.isoformat()}
    if overridden:
        data.update(overridden=overridden, override_reason=override_reason.strip()[:200])
    events.record("loan.renewed", actor=actor, target=loan, data=data, now=now)
    return loan
