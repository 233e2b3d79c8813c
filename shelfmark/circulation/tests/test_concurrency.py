"""Many desks and retrying kiosks at once on PostgreSQL: one loan per item, every other request a clear refusal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import partial

import pytest

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation import services
from shelfmark.circulation.errors import ItemAlreadyOnLoan
from shelfmark.circulation.models import CirculationEvent, CirculationRule, Hold, Loan
from shelfmark.core.tests.concurrency import RACE_TEST_MARKS, run_together
from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.tests.factories import make_item
from shelfmark.libraries.tests.factories import make_network
from shelfmark.patrons.tests.factories import make_patron

pytestmark = RACE_TEST_MARKS

THREADS = 12


@pytest.fixture
def world():
    net = make_network()
    clerk = accounts.create_staff(username="clerk", password="pw-123456", library=net.city, roles=[Role.CIRCULATION])
    CirculationRule.objects.create(loan_days=30, max_loans=50, fine_per_day=Decimal("0.10"))
    return net, clerk


def test_many_desks_scanning_one_item_make_one_loan(world):
    net, clerk = world
    item = make_item(library=net.county)
    readers = [make_patron(library=net.county) for _ in range(THREADS)]

    results = run_together(
        [(lambda r=r: services.check_out(item=item, patron=r, library=net.county, actor=clerk)) for r in readers]
    )

    loans = [r for r in results if isinstance(r, Loan)]
    refusals = [r for r in results if isinstance(r, ItemAlreadyOnLoan)]
    assert (len(loans), len(refusals)) == (1, THREADS - 1)
    assert Loan.objects.filter(item=item).count() == 1
    assert CirculationEvent.objects.filter(kind="check_out").count() == 1
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN


def test_a_kiosk_retrying_with_one_key_makes_one_loan_and_gets_it_back_every_time(world):
    net, clerk = world
    item = make_item(library=net.county)
    reader = make_patron(library=net.county)

    results = run_together(
        [
            (
                lambda: services.check_out(
                    item=item, patron=reader, library=net.county, actor=clerk, idempotency_key="kiosk-7:42"
                )
            )
            for _ in range(THREADS)
        ]
    )

    assert all(isinstance(r, Loan) for r in results), results
    assert len({r.pk for r in results if isinstance(r, Loan)}) == 1
    assert Loan.objects.count() == 1


def test_check_ins_racing_with_check_outs_leave_one_consistent_state(world):
    net, clerk = world
    items = [make_item(library=net.county) for _ in range(4)]
    readers = [make_patron(library=net.county) for _ in range(THREADS)]
    for item in items[:2]:
        services.check_out(item=item, patron=readers[0], library=net.county, actor=clerk)

    works: list[Callable[[], object]] = []
    for n, reader in enumerate(readers):
        item = items[n % len(items)]
        works.append(partial(services.check_out, item=item, patron=reader, library=net.county, actor=clerk))
        works.append(partial(services.check_in, item=item, library=net.county, actor=clerk))
    results = run_together(works)

    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, ItemAlreadyOnLoan)]
    assert unexpected == []
    per_item = Counter(Loan.objects.filter(status="active").values_list("item_id", flat=True))
    assert all(count == 1 for count in per_item.values())
    for item in items:
        item.refresh_from_db()
        assert (item.status == ItemStatus.ON_LOAN) == (item.pk in per_item)


def test_racing_returns_of_copies_give_each_waiting_hold_one_copy(world):
    net, clerk = world
    first = make_item(library=net.county)
    copies = [first] + [make_item(first.record, library=net.county) for _ in range(5)]
    borrower = make_patron(library=net.county)
    for copy in copies:
        services.check_out(item=copy, patron=borrower, library=net.county, actor=clerk)
    waiting = [make_patron(library=net.county) for _ in range(3)]
    for reader in waiting:
        services.place_hold(patron=reader, record=first.record, pickup_library=net.county, actor=None)

    run_together([(lambda c=c: services.check_in(item=c, library=net.county, actor=clerk)) for c in copies])

    ready = Hold.objects.filter(status="ready")
    assert ready.count() == 3
    assert len({hold.trapped_item_id for hold in ready}) == 3
