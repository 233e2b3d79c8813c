"""Check in anywhere: fines by the loan's terms, credit counters, pseudonymised history, transit home or floating."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shelfmark.circulation import services
from shelfmark.circulation.models import CirculationEvent, CirculationRule, Loan, ReturnPolicy, Transit
from shelfmark.circulation.tests.conftest import at
from shelfmark.fines.models import Charge
from shelfmark.holdings.models import ItemStatus
from shelfmark.libraries.models import Level
from shelfmark.patrons import services as patron_services

pytestmark = pytest.mark.django_db


def test_a_return_on_time_at_home_shelves_the_item_and_counts_for_credit(desk):
    reader, item = desk.reader(), desk.item()
    services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-02-01"))

    result = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-02-20"))

    assert (result.fine, result.transit, result.hold, result.alert) == (Decimal("0.00"), None, None, "")
    item.refresh_from_db()
    reader.refresh_from_db()
    assert (item.status, item.current_library) == (ItemStatus.AVAILABLE, desk.net.county)
    assert (reader.on_time_returns, reader.late_returns) == (1, 0)
    assert not Charge.objects.exists()


def test_a_late_return_is_fined_per_day_up_to_the_cap_and_counts_as_late(desk):
    reader, item = desk.reader(), desk.item()
    loan = services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-02-01"))
    assert loan.due_on.isoformat() == "2026-03-03"

    result = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-03-13"))

    assert result.fine == Decimal("1.00")  # 10 days at 0.10
    charge = Charge.objects.get()
    assert (charge.patron, charge.kind, charge.amount, charge.source) == (
        reader,
        "overdue",
        Decimal("1.00"),
        f"loan:{loan.pk}:0",
    )
    reader.refresh_from_db()
    assert (reader.late_returns, reader.fines_owed) == (1, Decimal("1.00"))

    later = desk.item()
    services.check_out(item=later, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-03-13"))
    capped = services.check_in(item=later, library=desk.net.county, actor=desk.clerk, now=at("2027-03-13"))
    assert capped.fine == Decimal("5.00")


def test_history_is_pseudonymised_on_return_unless_the_reader_opted_in(desk):
    private, keeper = desk.reader(), desk.reader()
    patron_services.set_history_opt_in(patron=keeper, opt_in=True, actor=None)
    one, two = desk.item(), desk.item()
    first = services.check_out(item=one, patron=private, library=desk.net.county, actor=desk.clerk)
    second = services.check_out(item=two, patron=keeper, library=desk.net.county, actor=desk.clerk)

    services.check_in(item=one, library=desk.net.county, actor=desk.clerk)
    services.check_in(item=two, library=desk.net.county, actor=desk.clerk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.patron, first.status) == (None, "returned")
    assert second.patron == keeper
    assert first.reader_key and CirculationEvent.objects.filter(kind="check_in", reader_key=first.reader_key).exists()


def test_a_return_at_another_county_travels_home_and_shelves_on_arrival(desk):
    reader, item = desk.reader(), desk.item()
    services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)

    away = services.check_in(item=item, library=desk.net.other_county, actor=desk.clerk)

    assert away.alert == "transit"
    assert away.transit is not None
    assert (away.destination, away.transit.from_library) == (desk.net.county, desk.net.other_county)
    item.refresh_from_db()
    assert (item.status, item.current_library) == (ItemStatus.IN_TRANSIT, desk.net.other_county)

    home = services.check_in(item=item, library=desk.net.county, actor=desk.clerk)

    assert (home.loan, home.transit, home.alert) == (None, None, "")
    item.refresh_from_db()
    assert (item.status, item.current_library) == (ItemStatus.AVAILABLE, desk.net.county)
    assert Transit.objects.get().received_at is not None


def test_a_copy_scanned_at_a_third_library_keeps_travelling_to_its_destination(desk):
    reader, item = desk.reader(), desk.item()
    services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)
    services.check_in(item=item, library=desk.net.other_county, actor=desk.clerk)

    stray = services.check_in(item=item, library=desk.net.study_room, actor=desk.clerk)

    assert (stray.alert, stray.destination) == ("transit", desk.net.county)
    assert Transit.objects.filter(received_at__isnull=True).count() == 1


def test_floating_copies_stay_where_returned_within_their_city(desk):
    CirculationRule.objects.create(
        library=desk.net.city, return_policy=ReturnPolicy.FLOATING, float_level=Level.CITY, loan_days=30
    )
    reader, item = desk.reader(), desk.item()
    services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)

    result = services.check_in(item=item, library=desk.net.study_room, actor=desk.clerk)

    assert (result.transit, result.alert) == (None, "")
    item.refresh_from_db()
    assert (item.status, item.current_library, item.home_library) == (
        ItemStatus.AVAILABLE,
        desk.net.study_room,
        desk.net.county,
    )


def test_a_double_scan_at_check_in_is_harmless(desk):
    reader, item = desk.reader(), desk.item()
    services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)
    services.check_in(item=item, library=desk.net.county, actor=desk.clerk)

    again = services.check_in(item=item, library=desk.net.county, actor=desk.clerk)

    assert again.loan is None and again.fine == Decimal("0.00")
    assert Loan.objects.get().status == "returned"
    assert CirculationEvent.objects.filter(kind="check_in").count() == 1
