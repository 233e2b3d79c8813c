"""Bookings at the desk: search a title, place it for pickup or home delivery, cancel; pull list of the branch."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.circulation import services
from shelfmark.circulation.models import Hold

pytestmark = pytest.mark.django_db


def _at_desk(user, library) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/staff/circulation/", {"library": library.code}).status_code == 302
    return client


def test_a_title_found_by_search_is_booked_for_pickup_at_the_chosen_library(desk):
    # given a title with a copy at the county, and a reader
    record = desk.record("沈阳故宫志")
    desk.item(record)
    reader = desk.reader()
    client = _at_desk(desk.clerk, desk.net.county)

    # when the clerk searches for it and books it for pickup at the city
    found = client.get(f"/staff/circulation/readers/{reader.pk}/holds/", {"q": "故宫"})
    placed = client.post(
        f"/staff/circulation/readers/{reader.pk}/holds/place/", {"record": record.pk, "pickup": "LN-SY", "q": "故宫"}
    )

    # then the hit showed where copies are, and the booking exists with the city as pickup
    assert found.status_code == 200
    assert "沈阳故宫志" in found.content.decode() and "在架 1/1" in found.content.decode()
    assert (placed.status_code, placed["Location"]) == (302, f"/staff/circulation/readers/{reader.pk}/")
    hold = Hold.objects.get()
    assert (hold.patron, hold.record, hold.pickup_library, hold.home_delivery) == (reader, record, desk.net.city, False)
    assert "沈阳故宫志" in client.get(placed["Location"]).content.decode()


def test_home_delivery_is_offered_only_to_readers_registered_for_it(desk):
    record = desk.record("辽宁民俗")
    desk.item(record)
    eligible, other = desk.reader(home_delivery=True), desk.reader()
    client = _at_desk(desk.clerk, desk.net.county)

    offered = client.get(f"/staff/circulation/readers/{eligible.pk}/holds/", {"q": "民俗"}).content.decode()
    not_offered = client.get(f"/staff/circulation/readers/{other.pk}/holds/", {"q": "民俗"}).content.decode()
    forged = client.post(
        f"/staff/circulation/readers/{other.pk}/holds/place/", {"record": record.pk, "home_delivery": "on", "q": "民俗"}
    )
    delivered = client.post(
        f"/staff/circulation/readers/{eligible.pk}/holds/place/", {"record": record.pk, "home_delivery": "on"}
    )

    assert 'name="home_delivery"' in offered and 'name="home_delivery"' not in not_offered
    assert forged.status_code == 409
    html = forged.content.decode()
    assert html.index('class="error" role="alert"') > html.index(f'id="record-{record.pk}"')
    assert delivered.status_code == 302
    hold = Hold.objects.get()
    assert (hold.patron, hold.home_delivery, hold.pickup_library) == (eligible, True, desk.net.county)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"record": "abc", "pickup": "LN-SY"}, "编号必须是正整数。"),
        ({"record": "RECORD", "pickup": "NO-SUCH"}, "没有代码为 NO-SUCH 的图书馆。"),
        ({"record": "999999", "pickup": "LN-SY"}, "没有编号为 999999 的书目。"),
    ],
)
def test_a_forged_booking_is_a_clear_error_and_books_nothing(desk, fields, message):
    record = desk.record()
    desk.item(record)
    reader = desk.reader()
    client = _at_desk(desk.clerk, desk.net.county)
    fields = {**fields, "record": str(record.pk) if fields["record"] == "RECORD" else fields["record"]}

    response = client.post(f"/staff/circulation/readers/{reader.pk}/holds/place/", fields)

    assert response.status_code in (400, 404)
    assert message in response.content.decode()
    assert not Hold.objects.exists()


def test_a_booking_is_cancelled_from_the_panel(desk):
    record = desk.record()
    desk.item(record)
    reader = desk.reader()
    hold = services.place_hold(patron=reader, record=record, pickup_library=desk.net.county, actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)

    forged = client.post(f"/staff/circulation/readers/{reader.pk}/holds/cancel/", {"hold": "1; drop"})
    cancelled = client.post(f"/staff/circulation/readers/{reader.pk}/holds/cancel/", {"hold": hold.pk})

    assert forged.status_code == 400
    assert cancelled.status_code == 200
    assert "已取消《辽宁地方志研究》的预约。" in cancelled.content.decode()
    assert Hold.objects.get().status == Hold.Status.CANCELLED


def test_the_pull_list_names_the_copies_on_this_shelf_that_bookings_wait_for(desk):
    # given a copy on the county's shelf booked for pickup at the city, and one on the other county's shelf
    record = desk.record("满族史")
    here = desk.item(record, call_number="K282.1/12")
    desk.item(record, library=desk.net.other_county)
    services.place_hold(patron=desk.reader(), record=record, pickup_library=desk.net.city, actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)

    page = client.get("/staff/circulation/pull-list/").content.decode()

    assert page.count('class="barcode"') == 1
    assert here.barcode in page and "K282.1/12" in page and "沈阳市图书馆" in page
    assert "window.print()" in page
