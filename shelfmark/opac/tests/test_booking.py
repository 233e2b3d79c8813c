"""Booking (约书) from the account: find a title, see its copies, pick a pickup library or home delivery."""

from __future__ import annotations

import pytest

from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import Hold
from shelfmark.opac.tests.conftest import log_in

pytestmark = pytest.mark.django_db


def test_finding_a_title_leads_to_its_record_page(shelf, reader_client):
    # given a title with a copy on the shelf at the county library
    record = shelf.item(shelf.record("沈阳故宫")).record
    shelf.item(shelf.record("辽宁通史"))

    # when the reader searches for it by title
    page = reader_client.get("/account/book/", {"q": "故宫"}).content.decode()

    # then the hit links to its record page and says where a copy is on the shelf
    assert f'href="/records/{record.pk}/"' in page
    assert "辽宁通史" not in page
    assert "康平县图书馆 1/1" in page


def test_the_record_page_lists_copies_with_due_dates_and_asks_a_visitor_to_log_in(shelf, client):
    item = shelf.item(shelf.record("沈阳故宫"), call_number="K928.71/12")
    shelf.lend(shelf.reader(), item)

    page = client.get(f"/records/{item.record.pk}/").content.decode()

    assert "K928.71/12" in page and "借出" in page and "应还" in page
    assert "登录后预约" in page and 'name="pickup"' not in page


def test_placing_a_hold_for_pickup_lists_it_in_the_account(shelf, reader, reader_client):
    # given a title whose only copy is out
    item = shelf.item(shelf.record("沈阳故宫"))
    shelf.lend(shelf.reader(), item)

    # when the reader books it for pickup at the city library
    response = reader_client.post(f"/records/{item.record.pk}/hold/", {"pickup": shelf.net.city.pk}, follow=True)

    # then the booking waits for them at the city, and the account lists it
    hold = Hold.objects.get(patron=reader)
    assert (hold.record, hold.pickup_library, hold.status, hold.home_delivery) == (
        item.record,
        shelf.net.city,
        "waiting",
        False,
    )
    page = response.content.decode()
    assert "《沈阳故宫》已预约，取书地点：沈阳市图书馆。" in page
    assert f'id="hold-{hold.pk}"' in page


def test_home_delivery_is_offered_only_to_readers_registered_for_it(shelf, client, reader):
    record = shelf.item(shelf.record("沈阳故宫")).record

    # a reader not registered for home delivery is not offered it, and a forged choice books nothing
    log_in(client, reader)
    assert 'value="home"' not in client.get(f"/records/{record.pk}/").content.decode()
    refused = client.post(f"/records/{record.pk}/hold/", {"pickup": "home"})
    assert refused.status_code == 400
    assert not Hold.objects.filter(patron=reader).exists()

    # an elderly reader registered for it may choose it
    elder = shelf.reader(category="senior", home_delivery=True, address="康平镇幸福路 1 号")
    log_in(client, elder)
    assert 'value="home"' in client.get(f"/records/{record.pk}/").content.decode()
    client.post(f"/records/{record.pk}/hold/", {"pickup": "home"})
    hold = Hold.objects.get(patron=elder)
    assert (hold.home_delivery, hold.pickup_library) == (True, shelf.net.county)


def test_booking_a_title_twice_is_refused_by_name(shelf, reader, reader_client):
    record = shelf.item(shelf.record("沈阳故宫")).record
    circulation.place_hold(patron=reader, record=record, pickup_library=shelf.net.county, actor=None)

    response = reader_client.post(f"/records/{record.pk}/hold/", {"pickup": shelf.net.county.pk})

    assert response.status_code == 409
    assert "您已经预约过这本书了。" in response.content.decode()
    assert Hold.objects.filter(patron=reader).count() == 1


def test_a_title_without_a_circulating_copy_cannot_be_booked(shelf, reader, reader_client):
    record = shelf.record("孤本")

    response = reader_client.post(f"/records/{record.pk}/hold/", {"pickup": shelf.net.county.pk})

    assert response.status_code == 409
    assert "这本书目前不能预约" in response.content.decode()
    assert not Hold.objects.exists()


def test_a_booking_post_needs_a_reader_session(shelf, client):
    record = shelf.item().record

    response = client.post(f"/records/{record.pk}/hold/", {"pickup": shelf.net.county.pk})

    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert not Hold.objects.exists()


def test_an_unknown_record_is_not_found(shelf, client):
    assert client.get("/records/999999/").status_code == 404
