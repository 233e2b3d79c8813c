"""Holds (约书): the queue, trapping on return, transit to the pickup point, shelf expiry, renewals refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shelfmark.circulation import selectors, services
from shelfmark.circulation.errors import (
    HoldAlreadyPlaced,
    HoldNotAllowed,
    PatronBlocked,
    RenewalLimitReached,
    RenewalRefusedHoldsWaiting,
)
from shelfmark.circulation.models import CirculationRule, Hold
from shelfmark.circulation.tests.conftest import at
from shelfmark.holdings.models import ItemStatus
from shelfmark.notices.models import Notice

pytestmark = pytest.mark.django_db


def _lent(desk, item, now="2026-02-01"):
    return services.check_out(item=item, patron=desk.reader(), library=desk.net.county, actor=desk.clerk, now=at(now))


def test_a_returned_copy_travels_to_the_pickup_library_and_waits_there_for_the_reader(desk):
    # given a copy on loan at the county and a reader booking the title for pickup at the city library
    item = desk.item()
    _lent(desk, item)
    reader = desk.reader(email="reader@example.cn")
    hold = services.place_hold(
        patron=reader, record=item.record, pickup_library=desk.net.city, actor=reader, now=at("2026-02-02")
    )

    # when the copy comes back at the county
    back = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-02-10"))

    # then it goes in transit to the city for that hold
    assert (back.alert, back.destination, back.hold) == ("hold_transit", desk.net.city, hold)
    hold.refresh_from_db()
    assert (hold.status, hold.trapped_item) == ("in_transit", item)

    # and when it arrives at the city it waits on the hold shelf and the reader is told
    arrived = services.check_in(item=item, library=desk.net.city, actor=desk.clerk, now=at("2026-02-11"))
    assert (arrived.alert, arrived.hold) == ("hold", hold)
    hold.refresh_from_db()
    item.refresh_from_db()
    assert (hold.status, hold.expires_on) == ("ready", date(2026, 2, 14))
    assert (item.status, item.current_library) == (ItemStatus.ON_HOLD_SHELF, desk.net.city)
    notice = Notice.objects.get(kind="hold_ready")
    assert notice.recipient == "reader@example.cn" and item.record.title in notice.body

    # and checking it out to the reader fulfils the hold
    services.check_out(item=item, patron=reader, library=desk.net.city, actor=desk.clerk, now=at("2026-02-12"))
    hold.refresh_from_db()
    assert hold.status == "fulfilled"


def test_the_queue_serves_bookings_in_the_order_they_were_placed(desk):
    item = desk.item()
    _lent(desk, item)
    first, second = desk.reader(), desk.reader()
    services.place_hold(
        patron=second, record=item.record, pickup_library=desk.net.county, actor=None, now=at("2026-02-03")
    )
    services.place_hold(
        patron=first, record=item.record, pickup_library=desk.net.county, actor=None, now=at("2026-02-02")
    )

    result = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-02-10"))

    assert result.hold is not None and result.hold.patron == first
    assert selectors.queue_position(Hold.objects.get(patron=second)) == 1


def test_a_nearby_booking_placed_within_the_window_is_served_first_to_save_a_transit(desk, settings):
    settings.SHELFMARK_HOLD_NEAR_WINDOW_DAYS = 2
    item = desk.item()
    _lent(desk, item)
    far, near, late_near = desk.reader(), desk.reader(), desk.reader()
    services.place_hold(
        patron=far, record=item.record, pickup_library=desk.net.other_county, actor=None, now=at("2026-02-02")
    )
    services.place_hold(
        patron=near, record=item.record, pickup_library=desk.net.county, actor=None, now=at("2026-02-03")
    )

    result = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-02-10"))

    assert result.hold is not None and (result.hold.patron, result.alert) == (near, "hold")
    # and outside the window placement order wins again
    other = desk.item(record=item.record)
    _lent(desk, other)
    services.place_hold(
        patron=late_near, record=item.record, pickup_library=desk.net.county, actor=None, now=at("2026-02-09")
    )
    again = services.check_in(item=other, library=desk.net.county, actor=desk.clerk, now=at("2026-02-10"))
    assert again.hold is not None and (again.hold.patron, again.alert) == (far, "hold_transit")


def test_an_uncollected_copy_passes_to_the_next_reader_when_the_shelf_time_ends(desk):
    item = desk.item()
    _lent(desk, item)
    first, second = desk.reader(phone="13800000000"), desk.reader()
    services.place_hold(
        patron=first, record=item.record, pickup_library=desk.net.county, actor=None, now=at("2026-02-02")
    )
    services.place_hold(
        patron=second, record=item.record, pickup_library=desk.net.county, actor=None, now=at("2026-02-03")
    )
    services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-02-10"))

    assert services.expire_hold_shelf(now=at("2026-02-13")) == 0
    assert services.expire_hold_shelf(now=at("2026-02-14")) == 1

    expired, passed = Hold.objects.get(patron=first), Hold.objects.get(patron=second)
    assert expired.status == "expired"
    assert (passed.status, passed.trapped_item) == ("ready", item)
    assert Notice.objects.filter(kind="hold_expired", recipient="13800000000").count() == 1


def test_cancelling_a_ready_hold_puts_the_copy_back_on_the_shelf(desk):
    item = desk.item()
    reader = desk.reader()
    hold = services.place_hold(patron=reader, record=item.record, pickup_library=desk.net.county, actor=None)
    services.check_in(item=item, library=desk.net.county, actor=desk.clerk)  # pulled from the shelf and trapped
    hold.refresh_from_db()
    assert hold.status == "ready"

    services.cancel_hold(hold=hold, actor=reader, reason="不需要了")

    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    hold.refresh_from_db()
    assert hold.status == "cancelled"


def test_renewal_is_refused_while_others_wait_for_the_title(desk):
    item = desk.item()
    loan = _lent(desk, item)
    services.place_hold(patron=desk.reader(), record=item.record, pickup_library=desk.net.county, actor=None)

    with pytest.raises(RenewalRefusedHoldsWaiting):
        services.renew(loan=loan, actor=desk.clerk)

    loan.refresh_from_db()
    assert loan.renewals == 0


def test_renewal_counts_from_today_and_stops_at_the_limit(desk):
    item = desk.item()
    loan = _lent(desk, item, now="2026-02-01")

    renewed = services.renew(loan=loan, actor=desk.clerk, now=at("2026-02-20"))

    assert (renewed.renewals, renewed.due_on.isoformat()) == (1, "2026-03-22")
    with pytest.raises(RenewalLimitReached):
        services.renew(loan=loan, actor=desk.clerk, now=at("2026-02-21"))


def test_a_booking_is_refused_twice_for_a_blocked_reader_and_for_unloanable_titles(desk):
    item = desk.item()
    reader = desk.reader()
    services.place_hold(patron=reader, record=item.record, pickup_library=desk.net.county, actor=None)
    with pytest.raises(HoldAlreadyPlaced):
        services.place_hold(patron=reader, record=item.record, pickup_library=desk.net.city, actor=None)

    blocked = desk.reader(expires_on=at("2020-01-01").date())
    with pytest.raises(PatronBlocked):
        services.place_hold(patron=blocked, record=item.record, pickup_library=desk.net.county, actor=None)

    CirculationRule.objects.create(item_type="reference", loanable=False, holds_allowed=False, loan_days=0)
    reference = desk.item(item_type="reference")
    with pytest.raises(HoldNotAllowed):
        services.place_hold(patron=reader, record=reference.record, pickup_library=desk.net.county, actor=None)
    with pytest.raises(HoldNotAllowed):
        services.place_hold(patron=reader, record=reference.record, home_delivery=True, actor=None)
    assert Hold.objects.count() == 1


def test_home_delivery_goes_to_the_readers_home_library(desk):
    item = desk.item()
    reader = desk.reader(home_delivery=True, library=desk.net.township)

    hold = services.place_hold(patron=reader, record=item.record, home_delivery=True, actor=None)

    assert (hold.pickup_library, hold.home_delivery) == (desk.net.township, True)


def test_the_pull_list_names_each_copy_once_in_queue_order(desk):
    record = desk.record()
    one, two = desk.item(record=record), desk.item(record=record)
    first, second, third = desk.reader(), desk.reader(), desk.reader()
    for n, reader in enumerate((first, second, third)):
        services.place_hold(
            patron=reader,
            record=record,
            pickup_library=desk.net.city,
            actor=None,
            now=at("2026-02-01") + timedelta(hours=n),
        )

    entries = selectors.pull_list(desk.net.county)

    assert [(entry.hold.patron, entry.item) for entry in entries] == [(first, one), (second, two)]
    assert selectors.pull_list(desk.net.other_county) == []
