"""The registry of scorecard indicators: code → a function computing every member's value for a year.

An indicator's description (name, unit, direction, target) is an `alliance.Indicator` row; its computation is a
function registered here under the same code, so a later module adds one with

    @indicator("reference_answers")
    def reference_answers(scope: Scope) -> Result: ...

Each function answers for all members at once with aggregate queries grouped by library (never one query per
member): `scope.member_of` maps every library of the network to the member whose subtree holds it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.db.models import Case, Count, IntegerField, Max, Min, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.circulation.models import CirculationEvent
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library
from shelfmark.patrons.models import Patron

Number = Decimal | int


@dataclass(frozen=True)
class Scope:
    """The members compared and the year: what every indicator function is given."""

    year: int
    members: list[Library]
    member_of: dict[int, int]  # library id → member id, for every library in a member's subtree

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(datetime(self.year, 1, 1), time.min))

    @property
    def end(self) -> datetime:
        """The first moment of the next year (exclusive)."""
        return timezone.make_aware(datetime.combine(datetime(self.year + 1, 1, 1), time.min))

    def tally(self, rows: Any) -> dict[int, int]:
        """Sum (library id, count) rows into counts per member; libraries outside every member are left out."""
        totals = {member.pk: 0 for member in self.members}
        for library_id, count in rows:
            member = self.member_of.get(library_id)
            if member is not None:
                totals[member] += count
        return totals


@dataclass(frozen=True)
class Result:
    """Every member's value (None: no data to judge on) and a note when the source is missing or partial."""

    values: dict[int, Number | None]
    note: str = ""
    judged: bool = True  # False when the values stand in for data that does not exist (no target verdict)
    extra: dict[str, Any] = field(default_factory=dict)


Compute = Callable[[Scope], Result]
REGISTRY: dict[str, Compute] = {}


def indicator(code: str) -> Callable[[Compute], Compute]:
    """Register the function computing indicator `code`; a code is registered once."""

    def register(function: Compute) -> Compute:
        if code in REGISTRY and REGISTRY[code] is not function:
            raise ValueError(f"Indicator {code!r} is already registered by {REGISTRY[code].__qualname__}.")
        REGISTRY[code] = function
        return function

    return register


def make_scope(year: int, members: list[Library]) -> Scope:
    """Map every library of the network to the member whose subtree holds it (one query)."""
    by_path = sorted(((m.path, m.pk) for m in members), key=lambda pair: len(pair[0]), reverse=True)
    member_of: dict[int, int] = {}
    for library_id, path in Library.objects.values_list("id", "path"):
        for member_path, member_id in by_path:
            if path.startswith(member_path):
                member_of[library_id] = member_id
                break
    return Scope(year=year, members=members, member_of=member_of)


def _ratio(numerator: int, denominator: int, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator * scale) / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@indicator("records_contributed")
def records_contributed(scope: Scope) -> Result:
    """Records catalogued that year by the member or a library below it."""
    rows = (
        Record.objects.filter(created_at__gte=scope.start, created_at__lt=scope.end, library__isnull=False)
        .values_list("library_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Result(values=dict(scope.tally(rows)))


@indicator("unique_holdings")
def unique_holdings(scope: Scope) -> Result:
    """Titles whose copies (not withdrawn, added by the year's end) are all in one member's subtree."""
    holder = Case(
        *[When(home_library_id__in=ids, then=Value(member)) for member, ids in _libraries_by_member(scope).items()],
        default=Value(-1),
        output_field=IntegerField(),
    )
    rows = (
        Item.objects.filter(created_at__lt=scope.end)
        .exclude(status=ItemStatus.WITHDRAWN)
        .values("record_id")
        .annotate(first=Min(holder), last=Max(holder))
        .filter(first__gt=0)
        .values_list("first", "last")
        .order_by()
    )
    counts = Counter(first for first, last in rows if first == last)
    return Result(values={member.pk: counts.get(member.pk, 0) for member in scope.members})


@indicator("loans_per_reader")
def loans_per_reader(scope: Scope) -> Result:
    """Check-outs that year in the member's subtree per reader registered there by the year's end."""
    loans = scope.tally(
        CirculationEvent.objects.filter(kind=CirculationEvent.Kind.CHECK_OUT, at__gte=scope.start, at__lt=scope.end)
        .values_list("library_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    readers = scope.tally(
        Patron.objects.filter(created_at__lt=scope.end)
        .values_list("home_library_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Result(
        values={member.pk: _ratio(loans[member.pk], readers[member.pk]) for member in scope.members},
        extra={"loans": loans, "readers": readers},
    )


ILL_MISSING = _("馆际互借模块未安装，按 0 计，不判断是否达标。")


def _ill_rows(scope: Scope) -> list[tuple[int, datetime, datetime | None]] | None:
    """(supplying library, requested at, received at) of requests made or received that year; None without ILL."""
    if not apps.is_installed("shelfmark.ill"):
        return None
    from django.db.models import OuterRef, Q, Subquery

    request_model = apps.get_model("ill", "Request")
    event_model = apps.get_model("ill", "RequestEvent")
    received = event_model.objects.filter(request=OuterRef("pk"), to_status="received").order_by("at").values("at")[:1]
    rows = (
        request_model.objects.filter(supplying_library__isnull=False)
        .annotate(received_at=Subquery(received))
        .filter(
            Q(created_at__gte=scope.start, created_at__lt=scope.end)
            | Q(received_at__gte=scope.start, received_at__lt=scope.end)
        )
        .values_list("supplying_library_id", "created_at", "received_at")
    )
    return list(rows)


def _ill_missing(scope: Scope) -> Result:
    return Result(values={member.pk: 0 for member in scope.members}, note=str(ILL_MISSING), judged=False)


def _received_in_year(scope: Scope, received_at: datetime | None) -> bool:
    return received_at is not None and scope.start <= received_at < scope.end


@indicator("ill_requests_filled")
def ill_requests_filled(scope: Scope) -> Result:
    """Requests the member lent that the borrowing library received that year."""
    rows = _ill_rows(scope)
    if rows is None:
        return _ill_missing(scope)
    return Result(
        values=dict(scope.tally((lender, 1) for lender, _at, received in rows if _received_in_year(scope, received)))
    )


@indicator("ill_fill_rate")
def ill_fill_rate(scope: Scope) -> Result:
    """Of the requests made to the member that year, the percentage received by the borrower."""
    rows = _ill_rows(scope)
    if rows is None:
        return _ill_missing(scope)
    made = [(lender, received) for lender, at, received in rows if scope.start <= at < scope.end]
    asked = scope.tally((lender, 1) for lender, _received in made)
    filled = scope.tally((lender, 1) for lender, received in made if received is not None)
    return Result(values={member.pk: _ratio(filled[member.pk], asked[member.pk], 100) for member in scope.members})


@indicator("ill_median_turnaround")
def ill_median_turnaround(scope: Scope) -> Result:
    """Median days from request to receipt of the member's loans received that year."""
    rows = _ill_rows(scope)
    if rows is None:
        return _ill_missing(scope)
    days: dict[int, list[float]] = {member.pk: [] for member in scope.members}
    for lender, at, received in rows:
        member = scope.member_of.get(lender)
        if member is not None and received is not None and _received_in_year(scope, received):
            days[member].append((received - at) / timedelta(days=1))
    return Result(
        values={
            member: Decimal(str(statistics.median(spans))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if spans
            else None
            for member, spans in days.items()
        }
    )


def _libraries_by_member(scope: Scope) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {member.pk: [] for member in scope.members}
    for library_id, member in scope.member_of.items():
        grouped[member].append(library_id)
    return {member: ids for member, ids in grouped.items() if ids}
