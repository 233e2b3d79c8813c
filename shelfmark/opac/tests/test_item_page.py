"""The page an item's QR code opens (/i/<code>): which book, where it belongs and is, and the one-tap booking."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shelfmark.circulation.models import Hold
from shelfmark.holdings import qr
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Kind, Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def copy(shelf):
    """A copy of 沈阳故宫 belonging to the county, on its shelf."""
    return shelf.item(shelf.record("沈阳故宫"), call_number="K928.71/12", shelving_location="三楼地方文献室")


@pytest.mark.parametrize("form", ["exact", "lower", "slash"])
def test_a_scanned_code_shows_the_book_where_it_belongs_and_that_it_is_on_the_shelf(copy, form):
    # given the address the copy's QR code encodes, as a phone may open it
    path = {"exact": f"/i/{copy.qr_code}", "lower": f"/i/{copy.qr_code.lower()}", "slash": f"/i/{copy.qr_code}/"}
    assert qr.payload(copy).endswith(f"/i/{copy.qr_code}")
    # when anyone opens it
    response = Client().get(path[form])
    # then the page names the book (linking to its record), its home and present library, call number and status
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/records/{copy.record_id}/">沈阳故宫</a>' in page
    for text in ["K928.71/12", "三楼地方文献室", "康平县图书馆", "在架，可以借阅", "张三"]:
        assert text in page, text


def test_a_copy_out_on_loan_says_when_it_is_due_but_not_who_has_it(shelf, copy):
    borrower = shelf.reader(name="王借书")
    loan = shelf.lend(borrower, copy)
    page = Client().get(f"/i/{copy.qr_code}").content.decode()
    assert "借出" in page and f"应还 {loan.due_on.isoformat()}" in page
    assert "王借书" not in page and borrower.card_number not in page


def test_a_copy_away_from_home_says_where_it_is_now(shelf, copy):
    # given the copy was returned at the city and floats there
    Item.objects.filter(pk=copy.pk).update(current_library=shelf.net.city)
    page = Client().get(f"/i/{copy.qr_code}").content.decode()
    assert "沈阳市图书馆" in page and "（不在所属馆）" in page


def test_a_visitor_is_asked_to_log_in_and_comes_back_to_the_copy(copy):
    page = Client().get(f"/i/{copy.qr_code}").content.decode()
    assert f'href="/account/login/?next=/i/{copy.qr_code}"' in page
    assert "/hold/" not in page


def test_one_tap_books_the_title_for_pickup_where_the_copy_is(shelf, copy, reader, reader_client):
    # given a reader whose own library is the city, looking at a copy at the county
    reader.home_library = shelf.net.city
    reader.save()
    page = reader_client.get(f"/i/{copy.qr_code}").content.decode()
    assert re.search(rf'<form method="post" action="/i/{copy.qr_code}/hold/">', page)
    assert "csrfmiddlewaretoken" in page and "到 康平县图书馆 取书" in page
    # when they tap the one button (no pickup chosen)
    response = reader_client.post(f"/i/{copy.qr_code}/hold/")
    # then the title is booked for pickup at the county, and the account lists it
    hold = Hold.objects.get(patron=reader)
    assert (hold.record_id, hold.pickup_library, hold.status, hold.item) == (
        copy.record_id,
        shelf.net.county,
        "waiting",
        None,
    )
    assert response.status_code == 303 and response["Location"] == "/account/#holds"
    assert "《沈阳故宫》已预约，取书地点：康平县图书馆。" in reader_client.get("/account/").content.decode()


def test_the_reader_may_choose_another_pickup_library(shelf, copy, reader, reader_client):
    reader_client.post(f"/i/{copy.qr_code}/hold/", {"pickup": shelf.net.city.pk})
    assert Hold.objects.get(patron=reader).pickup_library == shelf.net.city


def test_a_copy_on_a_bookmobile_is_booked_for_the_readers_own_library(shelf, copy, reader, reader_client):
    bookmobile = libraries.create_library(
        code="LN-SY-BM", name="流动图书车", level=Level.BRANCH, kind=Kind.BOOKMOBILE, parent=shelf.net.city
    )
    Item.objects.filter(pk=copy.pk).update(current_library=bookmobile)
    reader_client.post(f"/i/{copy.qr_code}/hold/")
    assert Hold.objects.get(patron=reader).pickup_library == reader.home_library


def test_a_refused_booking_says_why_and_changes_nothing(shelf, copy, reader, reader_client):
    # given the reader has booked the title already
    reader_client.post(f"/i/{copy.qr_code}/hold/")
    before = list(Hold.objects.values_list("pk", "status", "pickup_library_id"))
    # when they tap again
    response = reader_client.post(f"/i/{copy.qr_code}/hold/", {"pickup": shelf.net.city.pk})
    # then the copy's page says so in words, and nothing changed
    assert response.status_code == 409
    assert "您已经预约过这本书了。" in response.content.decode() and "沈阳故宫" in response.content.decode()
    assert list(Hold.objects.values_list("pk", "status", "pickup_library_id")) == before


def test_a_pickup_that_is_not_a_library_is_refused(shelf, copy, reader, reader_client):
    response = reader_client.post(f"/i/{copy.qr_code}/hold/", {"pickup": "x; DROP TABLE"})
    assert response.status_code == 400 and "请选择取书馆。" in response.content.decode()
    assert not Hold.objects.exists()


def test_a_visitor_tapping_book_is_sent_to_log_in_and_nothing_is_booked(copy):
    response = Client().post(f"/i/{copy.qr_code}/hold/")
    assert response.status_code == 303
    assert response["Location"] == f"/account/login/?next=%2Fi%2F{copy.qr_code}"
    assert not Hold.objects.exists()


def test_booking_needs_the_csrf_token(shelf, copy, reader_client):
    # given a browser holding the reader's session that checks CSRF as a real one does
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = reader_client.cookies
    # when a post arrives without the form's token
    response = browser.post(f"/i/{copy.qr_code}/hold/")
    assert response.status_code == 403
    assert not Hold.objects.exists()


def test_an_unknown_or_withdrawn_code_is_a_friendly_404(shelf, copy):
    unknown = Client().get("/i/ZZZZZZZZZZ")
    assert unknown.status_code == 404
    page = unknown.content.decode()
    assert "未找到单册" in page and "ZZZZZZZZZZ" in page and 'href="/search/"' in page
    Item.objects.filter(pk=copy.pk).update(status=ItemStatus.WITHDRAWN)
    assert Client().get(f"/i/{copy.qr_code}").status_code == 404
    assert Client().post(f"/i/{copy.qr_code}/hold/").status_code == 404


def test_the_item_page_costs_a_fixed_number_of_queries(shelf, copy, django_assert_max_num_queries):
    shelf.lend(shelf.reader(), copy)
    with django_assert_max_num_queries(2):
        assert Client().get(f"/i/{copy.qr_code}").status_code == 200
