"""A few months of everyday circulation by the crowd of demo readers, through the real circulation services.

Day by day (closed on Mondays, like the network's libraries) readers come to their library, borrow popular books,
bring them back on time, late or somewhere else in the network, renew online and book titles that are all out.
Every step is a real `check_out`, `check_in`, `renew`, `place_hold`, `pay` or `expire_hold_shelf` with `now=` in
the past, so loans, fines, transits, hold queues and the event log that analytics reads are what the services make.
Deterministic for a seed; refusals (a reader over the limit or with overdue books) are part of a library's day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import Hold, Loan
from shelfmark.circulation.services import CheckInResult
from shelfmark.core.errors import DomainError
from shelfmark.fines import services as fine_services
from shelfmark.holdings.models import Item, ItemStatus, ItemType
from shelfmark.libraries.models import Library, ServicePoint
from shelfmark.patrons.models import Category, Patron

HISTORY_SEED = 2026
DEFAULT_DAYS = 150
LENDABLE = (ItemType.BOOK, ItemType.CHILDREN, ItemType.AUDIOVISUAL, ItemType.PERIODICAL)
CLOSED_WEEKDAY = 0  # Monday, as in the network's opening hours
PAY_METHODS = ("cash", "wechat", "wechat", "alipay")
READERS_PER_VISIT = 44  # 220 readers make about five visits a day, some 1,000 loans in 150 days


@dataclass
class Actors:
    """Who stands at each desk: the city's desk clerk in Shenyang, the county clerk in Kangping, else the admin."""

    by_code: dict[str, Any]
    fallback: Any

    def at(self, library: Library) -> Any:
        for code in sorted(self.by_code, key=len, reverse=True):
            if library.code == code or library.code.startswith(code + "-"):
                return self.by_code[code]
        return self.fallback


@dataclass
class Counts:
    check_outs: int = 0
    check_ins: int = 0
    late_returns: int = 0
    renewals: int = 0
    holds: int = 0
    holds_collected: int = 0
    payments: int = 0
    refusals: int = 0
    transits: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class Plan:
    """What the reader of one loan will do: renew online on a day, bring it back on a day and where."""

    patron: Patron
    return_day: date
    return_library: Library
    renew_day: date | None = None


@dataclass
class Simulation:
    rng: random.Random
    libraries: dict[str, Library]
    actors: Actors
    readers: list[Patron]
    pools: dict[int, list[int]]  # library id → ids of lendable copies on its shelf
    items: dict[int, Item]
    weight: dict[int, float]  # record id → popularity
    desks: dict[int, ServicePoint]  # library id → its desk, where it has one
    counts: Counts = field(default_factory=Counts)
    plans: dict[int, Plan] = field(default_factory=dict)
    returns: dict[date, list[int]] = field(default_factory=lambda: defaultdict(list))
    renewals: dict[date, list[int]] = field(default_factory=lambda: defaultdict(list))
    arrivals: dict[date, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    pickups: dict[date, list[int]] = field(default_factory=lambda: defaultdict(list))
    clock: datetime | None = None

    def tick(self) -> datetime:
        """Move the day's clock on a few minutes: actions of one day happen in order, within opening hours."""
        assert self.clock is not None
        closing = self.clock.replace(hour=20, minute=30)
        self.clock = min(self.clock + timedelta(minutes=self.rng.randint(2, 9)), closing)
        return self.clock

    def desk(self, library: Library) -> ServicePoint | None:
        return self.desks.get(library.pk)

    def library(self, library_id: int) -> Library:
        return next(library for library in self.libraries.values() if library.pk == library_id)

    def run_day(self, day: date) -> None:
        self.clock = timezone.make_aware(datetime.combine(day, time(9)))
        for item_id, library_id in self.arrivals.pop(day, []):
            self.check_in(self.items[item_id], self.library(library_id), day)
        for hold_id in self.pickups.pop(day, []):
            self.collect(hold_id, day)
        for loan_id in self.returns.pop(day, []):
            plan = self.plans.pop(loan_id)
            loan = Loan.objects.select_related("item").get(pk=loan_id)
            if loan.status == Loan.Status.ACTIVE:
                self.bring_back(loan, plan, day)
        for loan_id in self.renewals.pop(day, []):
            self.renew(loan_id, day)
        visits = max(2, round(len(self.readers) / READERS_PER_VISIT))
        for _visit in range(self.rng.randint(visits // 2, visits + visits // 2)):
            self.visit(self.rng.choice(self.readers), day)
        for _booking in range(self.rng.choices((0, 1, 2), (40, 45, 15))[0]):
            self.book_a_title(day)
        self.expire_holds(day)

    def visit(self, reader: Patron, day: date) -> None:
        """A reader borrows one to three copies at their library (now and then at the province's or city's)."""
        home = reader.home_library
        library = home
        if self.rng.random() < 0.2 or not self.pools.get(home.pk):
            library = self.libraries["LN"] if self.rng.random() < 0.5 else self.city_of(home)
        for _book in range(self.rng.choices((1, 2, 3), (50, 35, 15))[0]):
            item = self.pick(library, reader)
            if item is None:
                return
            try:
                loan = circulation.check_out(
                    item=item,
                    patron=reader,
                    library=library,
                    service_point=self.desk(library),
                    actor=self.actors.at(library),
                    now=self.tick(),
                )
            except DomainError:
                self.counts.refusals += 1
                self.pools[library.pk].append(item.pk)  # the reader was turned away; the copy stays on the shelf
                return
            self.lent(loan, reader, day)

    def city_of(self, library: Library) -> Library:
        """The city library above a library, or the province's for places that hang from it directly."""
        return self.libraries.get("-".join(library.code.split("-")[:2]), self.libraries["LN"])

    def pick(self, library: Library, reader: Patron) -> Item | None:
        """Draw a copy from the shelf, popular titles first; children mostly take children's books."""
        pool = self.pools.get(library.pk, [])
        if reader.category == Category.CHILD and self.rng.random() < 0.7:
            children = [i for i in pool if self.items[i].item_type == ItemType.CHILDREN]
            pool = children or pool
        if not pool:
            return None
        item_id = self.rng.choices(pool, [self.weight[self.items[i].record_id] for i in pool])[0]
        self.pools[library.pk].remove(item_id)
        return self.items[item_id]

    def lent(self, loan: Loan, reader: Patron, day: date) -> None:
        """Count the loan and decide what its reader will do with it."""
        self.counts.check_outs += 1
        self.items[loan.item_id] = loan.item
        due = loan.due_on
        roll = self.rng.random()
        plan = Plan(patron=reader, return_day=due, return_library=self.return_place(loan.library))
        if roll < 0.66:
            plan.return_day = day + timedelta(days=self.rng.randint(3, max(3, (due - day).days)))
        elif roll < 0.78:
            plan.renew_day = max(day + timedelta(days=1), due - timedelta(days=self.rng.randint(0, 3)))
            plan.return_day = due + timedelta(days=60)  # replaced when the renewal answers
        elif roll < 0.94:
            plan.return_day = due + timedelta(days=self.rng.randint(1, 25))
        else:
            plan.return_day = due + timedelta(days=self.rng.randint(26, 70))
        self.plans[loan.pk] = plan
        if plan.renew_day is not None:
            self.renewals[_open(plan.renew_day)].append(loan.pk)
        else:
            self.returns[_open(plan.return_day)].append(loan.pk)

    def return_place(self, lent_at: Library) -> Library:
        """Most bring a book back where they took it; some at another library of the city, or the province's."""
        if self.rng.random() < 0.85:
            return lent_at
        city = self.city_of(lent_at)
        nearby = [lib for lib in self.libraries.values() if lib.code.startswith(city.code) and lib != lent_at]
        if city.code != "LN" and nearby and self.rng.random() < 0.6:
            return self.rng.choice(nearby)
        return self.libraries["LN"] if lent_at.code != "LN" else self.libraries["LN-SY"]

    def renew(self, loan_id: int, day: date) -> None:
        plan = self.plans[loan_id]
        loan = Loan.objects.get(pk=loan_id)
        try:
            loan = circulation.renew(loan=loan, actor=None, now=self.tick())
            self.counts.renewals += 1
        except DomainError:
            self.counts.refusals += 1
        late = self.rng.random() < 0.2
        plan.return_day = (
            loan.due_on + timedelta(days=self.rng.randint(1, 20))
            if late
            else day + timedelta(days=self.rng.randint(1, max(1, (loan.due_on - day).days)))
        )
        self.returns[_open(plan.return_day)].append(loan_id)

    def bring_back(self, loan: Loan, plan: Plan, day: date) -> None:
        result = self.check_in(loan.item, plan.return_library, day)
        if result.fine > 0:
            self.counts.late_returns += 1
            if self.rng.random() < 0.75:
                fine_services.pay(
                    patron=plan.patron,
                    amount=result.fine,
                    actor=self.actors.at(plan.return_library),
                    method=self.rng.choice(PAY_METHODS),
                    now=self.tick(),
                )
                self.counts.payments += 1

    def check_in(self, item: Item, library: Library, day: date) -> CheckInResult:
        result = circulation.check_in(
            item=item, library=library, service_point=self.desk(library), actor=self.actors.at(library), now=self.tick()
        )
        self.counts.check_ins += 1
        self.follow(result.item, day)
        return result

    def follow(self, item: Item, day: date) -> None:
        """After a copy moved: schedule its arrival, its collection from the hold shelf, or shelve it for loan."""
        self.items[item.pk] = item
        if item.status == ItemStatus.IN_TRANSIT:
            transit = item.transits.filter(received_at__isnull=True).first()
            if transit is not None:
                self.counts.transits += 1
                arrive = _open(day + timedelta(days=self.rng.randint(1, 3)))
                self.arrivals[arrive].append((item.pk, transit.to_library_id))
        elif item.status == ItemStatus.ON_HOLD_SHELF:
            hold = Hold.objects.filter(trapped_item=item, status=Hold.Status.READY).first()
            if hold is not None and self.rng.random() < 0.85:
                self.pickups[_open(day + timedelta(days=self.rng.randint(1, 4)))].append(hold.pk)
        elif item.status == ItemStatus.AVAILABLE and item.item_type in LENDABLE:
            self.pools.setdefault(item.current_library_id, []).append(item.pk)

    def collect(self, hold_id: int, day: date) -> None:
        hold = Hold.objects.select_related("patron__home_library", "pickup_library", "trapped_item").get(pk=hold_id)
        if hold.status != Hold.Status.READY or hold.trapped_item is None:
            return
        try:
            loan = circulation.check_out(
                item=hold.trapped_item,
                patron=hold.patron,
                library=hold.pickup_library,
                service_point=self.desk(hold.pickup_library),
                actor=self.actors.at(hold.pickup_library),
                now=self.tick(),
            )
        except DomainError:
            self.counts.refusals += 1
            return
        self.counts.holds_collected += 1
        self.lent(loan, hold.patron, day)

    def book_a_title(self, day: date) -> None:
        """A reader books a popular title with no copy on their library's shelf, for pickup there."""
        out = list(self.plans)
        if not out:
            return
        sample = self.rng.sample(sorted(out), min(5, len(out)))
        loans = Loan.objects.filter(pk__in=sample).select_related("item__record").defer("item__record__marc")
        record = max(loans, key=lambda loan: (self.weight[loan.item.record_id], loan.pk)).item.record
        reader = self.rng.choice(self.readers)
        if Item.objects.filter(
            record=record, status=ItemStatus.AVAILABLE, current_library=reader.home_library
        ).exists():
            return
        try:
            circulation.place_hold(
                patron=reader,
                record=record,
                pickup_library=reader.home_library,
                actor=None,
                now=self.tick(),
            )
        except DomainError:
            self.counts.refusals += 1
            return
        self.counts.holds += 1

    def expire_holds(self, day: date) -> None:
        """Holds nobody collected lapse at closing time; their copies pass on or go home."""
        closing = timezone.make_aware(datetime.combine(day, time(20, 45)))
        if not circulation.expire_hold_shelf(now=closing):
            return
        for hold in Hold.objects.filter(status=Hold.Status.EXPIRED, closed_at=closing).select_related("trapped_item"):
            if hold.trapped_item is not None:
                self.follow(hold.trapped_item, day)


def _open(day: date) -> date:
    """The day itself, or the Tuesday after when it falls on the weekly closed day."""
    return day + timedelta(days=1) if day.weekday() == CLOSED_WEEKDAY else day


def popularity(record_ids: list[int], rng: random.Random) -> dict[int, float]:
    """Give titles a long-tailed popularity (a few much borrowed), so rankings and recommendations have a shape."""
    shuffled = sorted(record_ids)
    rng.shuffle(shuffled)
    return {record_id: 1.0 / (rank + 3) ** 0.9 for rank, record_id in enumerate(shuffled)}


def simulate(
    *,
    libraries: dict[str, Library],
    readers: list[Patron],
    actors: Actors,
    reserved_records: set[int],
    days: int,
    now: datetime,
) -> Counts:
    """Run `days` days of circulation ending yesterday; copies of `reserved_records` are left to the scenes."""
    rng = random.Random(HISTORY_SEED)
    items = {
        item.pk: item
        for item in Item.objects.filter(status=ItemStatus.AVAILABLE, item_type__in=LENDABLE)
        .exclude(record_id__in=reserved_records)
        .select_related("home_library", "current_library")
        .order_by("id")
    }
    pools: dict[int, list[int]] = defaultdict(list)
    for item in items.values():
        pools[item.current_library_id].append(item.pk)
    weight = popularity(sorted({item.record_id for item in items.values()}), rng)
    today = timezone.localdate(now)
    desks: dict[int, ServicePoint] = {}
    for point in ServicePoint.objects.filter(kind=ServicePoint.Kind.DESK).order_by("-code"):
        desks[point.library_id] = point
    sim = Simulation(
        rng=rng,
        libraries=libraries,
        actors=actors,
        readers=readers,
        pools=pools,
        items=items,
        weight=weight,
        desks=desks,
    )
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        if day.weekday() != CLOSED_WEEKDAY:
            sim.run_day(day)
    return sim.counts
