"""Check-in screen: each scan says the fine and, prominently, where the copy must go; slips print for transits and holds."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation import services
from shelfmark.circulation.models import Hold, Loan, Transit
from shelfmark.holdings.models import ItemStatus

pytestmark = pytest.mark.django_db

CHECKIN = "/staff/circulation/checkin/"


def _at_desk(user, library) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/staff/circulation/", {"library": library.code}).status_code == 302
    return client


def _lent(desk, *, days_ago: int = 0, **item):
    copy = desk.item(**item)
    now = timezone.now() - timedelta(days=days_ago)
    services.check_out(item=copy, patron=desk.reader(), library=desk.net.county, actor=desk.clerk, now=now)
    return copy


def test_a_return_at_home_is_shelved_without_a_fine(desk):
    item = _lent(desk)
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(CHECKIN, {"scan": item.barcode}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<li class="ok" data-code="checked_in" data-alert="">')
    assert '<strong class="fine">0.00</strong>' in html
    assert "slip-alert" not in html
    assert Loan.objects.get().status == Loan.Status.RETURNED


def test_a_late_return_says_the_fine_charged(desk):
    item = _lent(desk, days_ago=40)
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(CHECKIN, {"scan": item.barcode})

    assert response.status_code == 200
    assert '<strong class="fine">1.00</strong>' in response.content.decode()  # 10 days at 0.10


def test_a_return_at_another_library_shows_the_transit_slip_and_its_printable_page(desk):
    # given a copy of the county lent there
    item = _lent(desk)
    client = _at_desk(desk.clerk, desk.net.other_county)

    # when it is returned at the other county
    response = client.post(CHECKIN, {"scan": item.barcode})

    # then the row says, prominently, to send it to the county, and links the transit slip
    transit = Transit.objects.get()
    html = response.content.decode()
    assert 'data-alert="transit"' in html
    alert = re.search(r'<div class="slip-alert" role="alert">(.*?)</div>', html, re.S)
    assert alert is not None and "送往 康平县图书馆" in alert.group(1)
    assert f'href="/staff/circulation/slips/transit/{transit.pk}/"' in alert.group(1)
    assert (transit.from_library, transit.to_library) == (desk.net.other_county, desk.net.county)

    # and the slip page names destination, origin and copy, with print styles
    slip = client.get(f"/staff/circulation/slips/transit/{transit.pk}/").content.decode()
    assert '<p class="to">康平县图书馆' in slip
    assert "法库县图书馆 (LN-SY-FK)" in slip and item.barcode in slip
    assert "@media print" in slip


def test_a_returned_copy_wanted_by_a_reader_here_goes_on_the_hold_shelf_with_a_slip(desk):
    item = _lent(desk)
    waiting = desk.reader(name="王芳")
    hold = services.place_hold(patron=waiting, record=item.record, pickup_library=desk.net.county, actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(CHECKIN, {"scan": item.barcode})

    html = response.content.decode()
    assert 'data-alert="hold"' in html
    assert "放上本馆预约架" in html and "王芳" in html and waiting.card_number in html
    assert f'href="/staff/circulation/slips/hold/{hold.pk}/"' in html
    slip = client.get(f"/staff/circulation/slips/hold/{hold.pk}/")
    assert slip.status_code == 200 and "王芳" in slip.content.decode()
    assert Hold.objects.get().status == Hold.Status.READY


def test_an_unknown_scan_at_check_in_is_refused_by_name(desk):
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(CHECKIN, {"scan": "NOPE-42"})

    assert response.status_code == 404
    assert 'data-code="item_not_found"' in response.content.decode() and "NOPE-42" in response.content.decode()


def test_a_slip_is_only_for_staff_of_the_libraries_it_travels_between(desk):
    # given a transit from the other county to the county, and a clerk of the study room only
    item = _lent(desk)
    services.check_in(item=item, library=desk.net.other_county, actor=desk.clerk)
    transit = Transit.objects.get()
    room = accounts.create_staff(
        username="room", password="pw-123456", library=desk.net.study_room, roles=[Role.CIRCULATION]
    )
    client = _at_desk(room, desk.net.study_room)

    response = client.get(f"/staff/circulation/slips/transit/{transit.pk}/")
    missing = client.get("/staff/circulation/slips/transit/999999/")

    assert response.status_code == 403
    assert item.barcode not in response.content.decode()
    assert missing.status_code == 404


def test_the_checkin_of_a_copy_travelling_home_receives_it(desk):
    item = _lent(desk)
    services.check_in(item=item, library=desk.net.other_county, actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)

    incoming = client.get("/staff/circulation/transits/").content.decode()
    response = client.post(CHECKIN, {"scan": item.barcode})

    assert item.barcode in incoming and "法库县图书馆" in incoming
    assert response.status_code == 200 and 'data-alert=""' in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.current_library) == (ItemStatus.AVAILABLE, desk.net.county)
    assert item.barcode not in client.get("/staff/circulation/transits/").content.decode()
    assert Transit.objects.get().received_at is not None
