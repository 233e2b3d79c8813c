"""What a reader's account page shows: their loans, bookings, charges, standing and kept history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from shelfmark.catalog.models import Record
from shelfmark.circulation import selectors as circulation
from shelfmark.circulation.models import Hold, Loan
from shelfmark.fines import selectors as fines
from shelfmark.fines.models import Charge
from shelfmark.holdings import selectors as holdings
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Kind, Library
from shelfmark.patrons import rules
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron

HISTORY_SHOWN = 100


@dataclass(frozen=True)
class LoanLine:
    """One loan as the reader sees it: the title, when it is due, how late it is, whether it may be renewed."""

    loan: Loan
    overdue_days: int

    @property
    def renewals_left(self) -> int:
        return max(0, self.loan.max_renewals - self.loan.renewals)


@dataclass(frozen=True)
class HoldLine:
    """One booking: where it stands and, while waiting, the reader's place in the queue."""

    hold: Hold
    position: int | None


def loan_line(loan: Loan, *, today: date) -> LoanLine:
    """Describe one loan against today's date."""
    return LoanLine(loan=loan, overdue_days=max(0, (today - loan.due_on).days))


def loans(patron: Patron, *, now: datetime | None = None) -> list[LoanLine]:
    """Return the reader's loans still out, soonest due first, with how many days each is overdue."""
    today = timezone.localdate(now or timezone.now())
    return [loan_line(loan, today=today) for loan in circulation.active_loans(patron)]


def own_loan(patron: Patron, loan_id: int) -> Loan | None:
    """Return the reader's active loan with this id, or None when it is not theirs (or not out)."""
    return circulation.active_loans(patron).filter(pk=loan_id).first()


def hold_line(hold: Hold) -> HoldLine:
    """Describe one booking, with its queue position while it waits."""
    position = circulation.queue_position(hold) if hold.status == Hold.Status.WAITING else None
    return HoldLine(hold=hold, position=position)


def holds(patron: Patron) -> list[HoldLine]:
    """Return the reader's open bookings, oldest first."""
    return [hold_line(hold) for hold in circulation.active_holds(patron)]


def own_hold(patron: Patron, hold_id: int) -> Hold | None:
    """Return the reader's hold with this id (any status), or None when it is not theirs."""
    return (
        Hold.objects.select_related("record", "pickup_library")
        .defer("record__marc")
        .filter(pk=hold_id, patron=patron)
        .first()
    )


@dataclass(frozen=True)
class Fines:
    charges: list[Charge]
    total: Decimal


def fines_owed(patron: Patron) -> Fines:
    """Return the charges the reader still owes, oldest first, and their sum."""
    charges = fines.outstanding(patron)
    return Fines(charges=charges, total=sum((charge.outstanding for charge in charges), Decimal("0.00")))


def history(patron: Patron) -> QuerySet[Loan]:
    """Return the returned loans kept for the reader (only an opted-in reader has any), newest first."""
    return circulation.loan_history(patron).select_related("returned_library")[:HISTORY_SHOWN]


def pickup_libraries() -> QuerySet[Library]:
    """Return the libraries a reader may collect a booking at: every active library but the bookmobiles."""
    return Library.objects.filter(is_active=True).exclude(kind=Kind.BOOKMOBILE).order_by("path")


def standing(patron: Patron) -> rules.Standing:
    """Return the reader's credit standing."""
    return patron_selectors.standing(patron)


@dataclass(frozen=True)
class CopyLine:
    """One copy of a title as anyone may see it: where it is, its call number and status, when it is due back."""

    item: Item
    due_on: date | None


def copies(record: Record) -> list[CopyLine]:
    """Return a title's copies that still circulate, by the library they are at, with due dates of those out."""
    items = list(
        holdings.items_for_record(record)
        .exclude(status=ItemStatus.WITHDRAWN)
        .order_by("current_library__path", "call_number", "barcode")
    )
    due = dict(
        Loan.objects.filter(item_id__in=[item.pk for item in items], status=Loan.Status.ACTIVE).values_list(
            "item_id", "due_on"
        )
    )
    return [CopyLine(item=item, due_on=due.get(item.pk)) for item in items]
