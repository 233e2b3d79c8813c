"""Lost and claims-returned: end a loan the reader cannot bring back, or says they already did."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shelfmark.circulation.errors import LoanNotFound
from shelfmark.circulation.models import CirculationEvent, Loan
from shelfmark.circulation.services._common import log_event
from shelfmark.core import events
from shelfmark.fines import services as fine_services
from shelfmark.holdings import selectors as item_selectors
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import ItemStatus
from shelfmark.patrons import services as patron_services

DEFAULT_ITEM_PRICE = Decimal("50.00")
DEFAULT_PROCESSING_FEE = Decimal("5.00")


def _active_loan(loan: Loan) -> Loan:
    item = item_selectors.lock_item(loan.item_id)
    locked = Loan.objects.select_for_update(of=("self",)).select_related("patron", "library").get(pk=loan.pk)
    locked.item = item
    if locked.status != Loan.Status.ACTIVE or locked.patron is None:
        raise LoanNotFound(barcode=item.barcode)
    return locked


def mark_lost(*, loan: Loan, actor: Any, library: Any = None, now: datetime | None = None) -> Loan:
    """Declare the loaned copy lost: the reader is charged its price plus a processing fee, and credit drops."""
    now = now or timezone.now()
    with transaction.atomic():
        loan = _active_loan(loan)
        patron = loan.patron
        assert patron is not None
        price = loan.item.price or Decimal(str(getattr(settings, "SHELFMARK_DEFAULT_ITEM_PRICE", DEFAULT_ITEM_PRICE)))
        fee = Decimal(str(getattr(settings, "SHELFMARK_LOST_PROCESSING_FEE", DEFAULT_PROCESSING_FEE)))
        fine_services.add_charge(
            patron=patron, kind="lost", amount=price + fee, source=f"loan:{loan.pk}", actor=actor, now=now
        )
        patron_services.record_lost(patron=patron, actor=actor, now=now)
        loan.status = Loan.Status.LOST
        loan.save(update_fields=["status"])
        item_services.change_status(
            item=loan.item, status=ItemStatus.LOST, actor=actor, reason=f"loan {loan.pk}", now=now
        )
        log_event(
            CirculationEvent.Kind.LOST,
            reader_key=loan.reader_key,
            patron_category=loan.patron_category,
            item=loan.item,
            library=library or loan.library,
            now=now,
        )
        events.record("loan.lost", actor=actor, target=loan, data={"barcode": loan.item.barcode}, now=now)
        return loan


def claim_returned(*, loan: Loan, actor: Any, library: Any = None, now: datetime | None = None) -> Loan:
    """Record the reader's claim to have returned the copy: it stops counting and accruing, the copy is missing."""
    now = now or timezone.now()
    with transaction.atomic():
        loan = _active_loan(loan)
        loan.status = Loan.Status.CLAIMED_RETURNED
        loan.save(update_fields=["status"])
        item_services.change_status(
            item=loan.item, status=ItemStatus.MISSING, actor=actor, reason=f"claimed returned, loan {loan.pk}", now=now
        )
        log_event(
            CirculationEvent.Kind.CLAIMED_RETURNED,
            reader_key=loan.reader_key,
            patron_category=loan.patron_category,
            item=loan.item,
            library=library or loan.library,
            now=now,
        )
        events.record("loan.claimed_returned", actor=actor, target=loan, data={"barcode": loan.item.barcode}, now=now)
        return loan
