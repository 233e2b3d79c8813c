"""Daily overdue run: accrue each late loan's fine so far and send the reader a notice at set intervals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shelfmark.circulation import selectors
from shelfmark.circulation.models import Loan
from shelfmark.circulation.rules import local_date
from shelfmark.circulation.services import notify
from shelfmark.fines import services as fine_services

# Days after the due date on which a reader hears about a late loan (first, second and final notice).
DEFAULT_NOTICE_DAYS = (1, 7, 30)


@dataclass(frozen=True)
class OverdueRun:
    """What a run did: loans found late, fines brought up to date, notices queued."""

    overdue_loans: int
    fines_updated: int
    notices: int


def process_overdues(*, now: datetime | None = None, actor: Any = None) -> OverdueRun:
    """Bring every late loan's fine up to today and queue the notices that fall due; safe to run twice a day."""
    now = now or timezone.now()
    today = local_date(now)
    steps = tuple(getattr(settings, "SHELFMARK_OVERDUE_NOTICE_DAYS", DEFAULT_NOTICE_DAYS))
    late = (
        Loan.objects.select_related("patron__home_library", "item__record", "library")
        .filter(status=Loan.Status.ACTIVE, due_on__lt=today, patron__isnull=False)
        .order_by("patron_id", "due_on")
    )
    count = fines = sent = 0
    for _patron_id, group in groupby(late.iterator(chunk_size=500), key=lambda loan: loan.patron_id):
        loans = list(group)
        count += len(loans)
        with transaction.atomic():
            for loan in loans:
                amount = selectors.fine_at(terms=loan, library=loan.library, due=loan.due_on, returned=today)
                if amount > 0:
                    assert loan.patron is not None
                    fine_services.set_overdue_amount(
                        patron=loan.patron, source=loan.fine_source, amount=amount, actor=actor, now=now
                    )
                    fines += 1
            due_now = [
                loan
                for loan in loans
                if loan.overdue_notices < len(steps) and (today - loan.due_on).days >= steps[loan.overdue_notices]
            ]
            if due_now:
                patron = due_now[0].patron
                assert patron is not None
                stage = min(loan.overdue_notices for loan in due_now) + 1
                notify.overdue(
                    patron=patron,
                    loans=loans,
                    reference=f"overdue:{patron.pk}:{today.isoformat()}:{stage}",
                    today=today,
                )
                for loan in due_now:
                    Loan.objects.filter(pk=loan.pk).update(overdue_notices=loan.overdue_notices + 1)
                sent += 1
    return OverdueRun(overdue_loans=count, fines_updated=fines, notices=sent)
