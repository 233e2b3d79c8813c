from datetime import date, time

import pytest

from shelfmark.core.models import AuditEvent
from shelfmark.libraries import selectors, services
from shelfmark.libraries.models import Level, Library
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


def test_subtree_holds_the_node_and_everything_below_it():
    net = make_network()

    codes = sorted(selectors.subtree(net.city).values_list("code", flat=True))

    assert codes == ["LN-SY", "LN-SY-FK", "LN-SY-KP", "LN-SY-KP-01", "LN-SY-SR1"]
    assert net.township.depth == 3
    assert net.township.is_within(net.county) and not net.township.is_within(net.other_county)


def test_ancestors_run_from_root_to_node():
    net = make_network()

    assert [lib.code for lib in selectors.ancestors(net.township)] == [
        "LN",
        "LN-SY",
        "LN-SY-KP",
        "LN-SY-KP-01",
    ]


def test_duplicate_code_is_refused_and_nothing_is_added():
    net = make_network()
    before = Library.objects.count()

    with pytest.raises(services.DuplicateLibraryCode) as refused:
        services.create_library(code="LN-SY-KP", name="重复", level=Level.COUNTY, parent=net.city)

    assert refused.value.field == "code"
    assert "LN-SY-KP" in refused.value.message
    assert Library.objects.count() == before


def test_closed_day_on_an_ancestor_closes_the_subtree_only_when_it_says_so():
    net = make_network()
    spring_festival = date(2027, 2, 6)
    services.add_closed_day(library=net.province, day=spring_festival, reason="春节", applies_to_subtree=True)
    inventory_day = date(2027, 3, 3)
    services.add_closed_day(library=net.city, day=inventory_day, reason="盘点")

    assert selectors.is_open(net.township, spring_festival) is False
    assert selectors.is_open(net.township, inventory_day) is True
    assert selectors.is_open(net.city, inventory_day) is False


def test_weekly_hours_are_inherited_and_next_open_day_skips_closed_days():
    net = make_network()
    services.set_opening_hours(
        library=net.city,
        hours={d: (time(9), time(17)) for d in range(1, 7)},  # closed on Mondays
    )
    monday = date(2027, 3, 1)
    services.add_closed_day(library=net.county, day=date(2027, 3, 2), reason="停电")

    assert selectors.is_open(net.township, monday) is False
    assert selectors.next_open_day(net.township, monday) == date(2027, 3, 2)
    assert selectors.next_open_day(net.county, monday) == date(2027, 3, 3)


def test_writes_leave_audit_events():
    make_network()

    assert AuditEvent.objects.filter(kind="library.created").count() == 6


def test_moving_a_county_moves_its_subtree():
    net = make_network()

    services.move_library(library=net.county, parent=net.province)

    net.township.refresh_from_db()
    assert net.township.path == f"/{net.province.pk}/{net.county.pk}/{net.township.pk}/"
    assert net.township.depth == 2
    assert not net.township.is_within(net.city)


def test_a_library_cannot_move_below_itself():
    net = make_network()

    with pytest.raises(services.InvalidInput):
        services.move_library(library=net.city, parent=net.township)

    net.city.refresh_from_db()
    assert net.city.parent_id == net.province.pk
