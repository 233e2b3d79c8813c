"""Reads for circulation policy: the rule for a loan, the library calendar for due dates and fines."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation

from shelfmark.circulation import rules
from shelfmark.circulation.models import CirculationRule, Hold, Loan, Transit
from shelfmark.circulation.rules import Decision, ReturnRoute
from shelfmark.core.memo import TimedMemo
from shelfmark.fines.models import HALF_CENT
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries import selectors as library_selectors
from shelfmark.libraries.models import ClosedDay, Library, OpeningHours
from shelfmark.patrons.models import Patron

# Rules and calendars change rarely and are read by every loan: remembered for SHELFMARK_POLICY_CACHE_SECONDS.
_RULES: TimedMemo[Decision[CirculationRule]] = TimedMemo()
_CALENDARS: TimedMemo[Callable[[date], bool]] = TimedMemo()


@dataclass(frozen=True)
class ReaderLoad:
    """What a check-out weighs about the reader, read in one statement: loans out, overdue, blocks, bookings."""

    loans: int
    overdue: int
    stored_blocks: int
    waiting_holds: int


def reader_load(*, patron_id: int, record_id: int, today: date) -> ReaderLoad:
    """Count the reader's active loans (and how many are overdue on `today`), unlifted stored blocks, and their
    waiting holds on this title; one statement, as every check-out asks all four."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_on < %s THEN 1 ELSE 0 END), 0),"
            " (SELECT COUNT(*) FROM patrons_patronblock WHERE patron_id = %s AND lifted_at IS NULL),"
            " (SELECT COUNT(*) FROM circulation_hold WHERE record_id = %s AND status = %s AND patron_id = %s)"
            " FROM circulation_loan WHERE patron_id = %s AND status = %s",
            [today, patron_id, record_id, Hold.Status.WAITING, patron_id, patron_id, Loan.Status.ACTIVE],
        )
        loans, overdue, blocks, holds = cursor.fetchone()
    return ReaderLoad(loans=loans, overdue=int(overdue), stored_blocks=blocks, waiting_holds=holds)


@dataclass(frozen=True)
class ReaderSummary:
    """How many of each thing a reader has open, so that a kiosk reads the lists only when there is something."""

    loans: int
    overdue: int
    holds: int
    stored_blocks: int
    charges: int


def reader_summary(*, patron_id: int, today: date) -> ReaderSummary:
    """Count the reader's active loans (overdue on `today` too), open bookings, unlifted stored blocks and
    outstanding charges, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_on < %s THEN 1 ELSE 0 END), 0),"
            " (SELECT COUNT(*) FROM circulation_hold WHERE patron_id = %s AND status IN (%s, %s, %s)),"
            " (SELECT COUNT(*) FROM patrons_patronblock WHERE patron_id = %s AND lifted_at IS NULL),"
            " (SELECT COUNT(*) FROM fines_charge WHERE patron_id = %s AND amount > paid + waived + %s)"
            " FROM circulation_loan WHERE patron_id = %s AND status = %s",
            [today, patron_id, *Hold.ACTIVE, patron_id, patron_id, HALF_CENT, patron_id, Loan.Status.ACTIVE],
        )
        loans, overdue, holds, blocks, charges = cursor.fetchone()
    return ReaderSummary(loans=loans, overdue=int(overdue), holds=holds, stored_blocks=blocks, charges=charges)


def _path_ids(library: Library) -> list[int]:
    return [int(part) for part in library.path.strip("/").split("/") if part]


def rule_for(
    *, library: Library, patron_category: str, item_type: str, labels: Mapping[str, str] | None = None
) -> Decision[CirculationRule]:
    """Return the most specific rule for a loan at `library` (and why); remembered briefly, as every loan asks."""
    if labels is not None:
        return _read_rule(library=library, patron_category=patron_category, item_type=item_type, labels=labels)
    key = (library.pk, library.path, patron_category, item_type, translation.get_language())
    return _RULES.get(key, lambda: _read_rule(library=library, patron_category=patron_category, item_type=item_type))


def _read_rule(
    *, library: Library, patron_category: str, item_type: str, labels: Mapping[str, str] | None = None
) -> Decision[CirculationRule]:
    """Read the candidate rules in one query and choose among them."""
    candidates = (
        CirculationRule.objects.select_related("library")
        .filter(Q(library__isnull=True) | Q(library_id__in=_path_ids(library)))
        .filter(patron_category__in={"", patron_category}, item_type__in={"", item_type})
    )
    return rules.choose_rule(
        candidates, library_path=library.path, patron_category=patron_category, item_type=item_type, labels=labels
    )


def opening_calendar(library: Library, *, start: date, days: int) -> Callable[[date], bool]:
    """Return `is_open(day)` for the library over `days` days from `start` (remembered briefly, see core.memo)."""
    return _CALENDARS.get(
        (library.pk, library.path, start, days), lambda: _read_calendar(library, start=start, days=days)
    )


def _read_calendar(library: Library, *, start: date, days: int) -> Callable[[date], bool]:
    """Return `is_open(day)` for the library, read in two queries for the `days` days from `start`.

    Same answers as libraries.selectors.is_open (closed days here or inherited from above, weekly hours from
    the nearest library that has any); days outside the window fall back to it.
    """
    ids = _path_ids(library)
    end = start + timedelta(days=max(days, 0))
    closed = set(
        ClosedDay.objects.filter(date__gte=start, date__lt=end)
        .filter(Q(library_id=library.pk) | Q(library_id__in=ids, applies_to_subtree=True))
        .values_list("date", flat=True)
    )
    by_library: dict[int, set[int]] = {}
    for library_id, weekday in OpeningHours.objects.filter(library_id__in=ids).values_list("library_id", "weekday"):
        by_library.setdefault(library_id, set()).add(weekday)
    weekdays = next((by_library[i] for i in reversed(ids) if i in by_library), None)

    def is_open(day: date) -> bool:
        if not start <= day < end:
            return library_selectors.is_open(library, day)
        return day not in closed and (weekdays is None or day.weekday() in weekdays)

    return is_open


def due_date_at(*, library: Library, start: datetime | date, loan_days: int, max_search_days: int = 366) -> date:
    """Return the due date of a loan made at `library`: start + loan_days, moved to its next open day."""
    first = rules.local_date(start) + timedelta(days=max(loan_days, 0))
    is_open = opening_calendar(library, start=first, days=max_search_days)
    return rules.due_date(start=start, loan_days=loan_days, is_open=is_open, max_search_days=max_search_days)


class FineTerms(Protocol):
    """The terms a fine is computed from: a rule's, or the copy of them a loan keeps."""

    fine_per_day: Decimal
    fine_cap: Decimal | None
    grace_days: int


def fine_at(*, terms: FineTerms, library: Library, due: date, returned: date) -> Decimal:
    """Return the overdue fine under `terms` for an item due at `library`, not charging the days it was closed."""
    is_open = opening_calendar(library, start=due, days=max((returned - due).days + 1, 0))
    return rules.fine_for(
        due=due,
        returned=returned,
        fine_per_day=terms.fine_per_day,
        fine_cap=terms.fine_cap,
        grace_days=terms.grace_days,
        is_open=is_open,
    )


def return_route(*, rule: CirculationRule, home_library: Library, returned_at: Library) -> ReturnRoute:
    """Decide whether an item returned at `returned_at` stays there or goes back to `home_library`."""
    group_path: str | None = ""
    if rule.return_policy == rules.RETURN_FLOATING and rule.float_level:
        group = next((lib for lib in library_selectors.ancestors(home_library) if lib.level == rule.float_level), None)
        group_path = group.path if group is not None else None
    return rules.return_route(
        return_policy=rule.return_policy,
        home_path=home_library.path,
        returned_path=returned_at.path,
        float_group_path=group_path,
    )


@dataclass(frozen=True)
class PullEntry:
    """One line of a branch's pull list: fetch this copy from the shelf for this booking."""

    hold: Hold
    item: Item


def pull_list(library: Library) -> list[PullEntry]:
    """Return the bookings a library can fill from its own shelves, oldest first, each copy pulled once."""
    waiting = list(
        Hold.objects.select_related("record", "pickup_library", "item")
        .filter(status=Hold.Status.WAITING)
        .filter(
            Exists(
                Item.objects.filter(
                    record_id=OuterRef("record_id"), current_library=library, status=ItemStatus.AVAILABLE
                )
            )
        )
        .order_by("placed_at", "id")
    )
    copies: dict[int, list[Item]] = {}
    for item in (
        Item.objects.filter(
            record_id__in={hold.record_id for hold in waiting}, current_library=library, status=ItemStatus.AVAILABLE
        )
        .select_related("record")
        .order_by("call_number", "barcode")
    ):
        copies.setdefault(item.record_id, []).append(item)
    entries = []
    for hold in waiting:
        shelf = copies.get(hold.record_id, [])
        pick = next((copy for copy in shelf if hold.item_id in (None, copy.pk)), None)
        if pick is not None:
            shelf.remove(pick)
            entries.append(PullEntry(hold=hold, item=pick))
    return entries


def active_loans(patron: Patron) -> QuerySet[Loan]:
    """Return the reader's loans still out, soonest due first, with copy and title."""
    return (
        Loan.objects.select_related("item__record", "library")
        .defer("item__record__marc")
        .filter(patron=patron, status=Loan.Status.ACTIVE)
        .order_by("due_on", "id")
    )


def loan_history(patron: Patron) -> QuerySet[Loan]:
    """Return the returned loans kept for a reader who opted in to keep their history, newest first."""
    return (
        Loan.objects.select_related("item__record")
        .defer("item__record__marc")
        .filter(patron=patron)
        .exclude(status=Loan.Status.ACTIVE)
        .order_by("-checked_out_at")
    )


def active_holds(patron: Patron) -> QuerySet[Hold]:
    """Return the reader's bookings still open, with title and pickup library."""
    return (
        Hold.objects.select_related("record", "pickup_library", "trapped_item")
        .defer("record__marc")
        .filter(patron=patron, status__in=Hold.ACTIVE)
        .order_by("placed_at")
    )


def queue_position(hold: Hold) -> int:
    """Return the 1-based place of a waiting hold among the waiting holds on its title."""
    return (
        Hold.objects.filter(record_id=hold.record_id, status=Hold.Status.WAITING)
        .filter(Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, id__lt=hold.pk))
        .count()
        + 1
    )


def open_transits(library: Library) -> QuerySet[Transit]:
    """Return the copies travelling to `library` that have not arrived yet."""
    return (
        Transit.objects.select_related("item__record", "from_library", "hold")
        .defer("item__record__marc")
        .filter(to_library=library, received_at__isnull=True)
        .order_by("sent_at")
    )
