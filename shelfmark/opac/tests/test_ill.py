"""A reader's interlibrary loans: asking from a record page, following the request, calling it off, refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.ill import selectors as ill_selectors
from shelfmark.ill import services as ill
from shelfmark.ill.models import Request, Status
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.models import Patron

pytestmark = pytest.mark.django_db


def _ask(client: Client, shelf, **fields: object):
    data = {"title": "", "author": "", "isbn": "", "publisher": "", "year": "", "needed_by": "", "note": ""}
    data["pickup"] = str(shelf.net.county.pk)
    data.update({key: str(value) for key, value in fields.items()})
    return client.post("/account/ill/", data)


def test_a_reader_asks_for_a_title_from_its_record_page_and_follows_it(shelf, reader, reader_client):
    # given a title whose record page links to the request form
    record = shelf.record("东北亚古代交通史")
    page = reader_client.get(f"/records/{record.pk}/").content.decode()
    assert f'href="/account/ill/?record={record.pk}"' in page

    # when the reader opens the form from there, it is filled in from the record
    form = reader_client.get(f"/account/ill/?record={record.pk}").content.decode()
    assert 'value="东北亚古代交通史"' in form and f'name="record" value="{record.pk}"' in form

    # and they send it for pickup at the province library
    response = _ask(reader_client, shelf, record=record.pk, title=record.title, pickup=shelf.net.province.pk)

    # then one request is filed for them at their home library, with the record and the pickup chosen
    assert response.status_code == 303 and response["Location"] == "/account/ill/"
    filed = Request.objects.get()
    assert (filed.patron_id, filed.record_id, filed.requesting_library_id, filed.pickup_library_id, filed.status) == (
        reader.pk,
        record.pk,
        reader.home_library_id,
        shelf.net.province.pk,
        Status.REQUESTED,
    )
    # and the home library's borrowing queue has it
    assert list(ill_selectors.borrowing_queue(shelf.net.county)) == [filed]

    # and the reader sees it with its status, number and a cancel button
    listing = reader_client.get("/account/ill/").content.decode()
    assert f'id="ill-{filed.pk}"' in listing and "已申请" in listing and f"申请号 {filed.pk}" in listing
    assert f'action="/account/ill/{filed.pk}/cancel/"' in listing
    assert "馆际互借申请已提交" in listing


def test_a_citation_without_a_record_is_enough(shelf, reader, reader_client):
    response = _ask(reader_client, shelf, title="满洲实录", author="佚名", isbn="9787101003048", year=1986)
    assert response.status_code == 303
    filed = Request.objects.get()
    assert (filed.record_id, filed.title, filed.author, filed.isbn, filed.year) == (
        None,
        "满洲实录",
        "佚名",
        "9787101003048",
        1986,
    )


def test_a_second_tap_files_nothing_more_and_says_why(shelf, reader, reader_client):
    record = shelf.record("辽海丛书")
    assert _ask(reader_client, shelf, record=record.pk, title=record.title).status_code == 303
    again = _ask(reader_client, shelf, record=record.pk, title=record.title)
    assert again.status_code == 409
    first = Request.objects.get()
    assert f"已有一条未完成的《辽海丛书》馆际互借申请（申请号 {first.pk}），不必重复申请。" in again.content.decode()


def test_a_blocked_reader_is_told_why_and_nothing_is_filed(shelf, reader, reader_client):
    patron_services.add_block(patron=reader, reason="损坏图书未赔偿", actor=None)
    response = _ask(reader_client, shelf, title="满洲实录")
    assert response.status_code == 409
    assert "您的借阅权限目前暂停" in response.content.decode() and "损坏图书未赔偿" in response.content.decode()
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"title": ""}, 400, "这个字段是必填项"),
        ({"title": "满洲实录", "pickup": "999999"}, 400, "选择一个有效的选项"),
        ({"title": "满洲实录", "record": "999999"}, 400, "书目记录 999999 不存在"),
        ({"title": "满洲实录", "isbn": "978-7-101-00304-9"}, 422, "ISBN 978-7-101-00304-9 无效。"),
        ({"title": "满洲实录", "year": "12345"}, 422, "出版年 12345 无效。"),
        ({"title": "满洲实录", "needed_by": "2001-01-01"}, 422, "需要日期 2001-01-01 已过。"),
    ],
)
def test_bad_or_forged_fields_are_named_and_nothing_is_filed(shelf, reader, reader_client, fields, status, says):
    response = _ask(reader_client, shelf, **fields)
    assert response.status_code == status
    assert says in response.content.decode()
    assert not Request.objects.exists()


def test_the_reader_calls_off_a_request_until_it_is_shipped(shelf, reader, reader_client):
    waiting = ill.request_item(requesting_library=shelf.net.county, actor=reader, patron=reader, title="满洲实录")
    response = reader_client.post(f"/account/ill/{waiting.pk}/cancel/")
    assert response.status_code == 303
    assert Request.objects.get(pk=waiting.pk).status == Status.CANCELLED
    page = reader_client.get("/account/ill/").content.decode()
    assert "《满洲实录》的馆际互借申请已取消。" in page and f'action="/account/ill/{waiting.pk}/cancel/"' not in page

    shipped = ill.request_item(requesting_library=shelf.net.county, actor=reader, patron=reader, title="盛京通志")
    Request.objects.filter(pk=shipped.pk).update(status=Status.SHIPPED)
    reader_client.post(f"/account/ill/{shipped.pk}/cancel/")
    assert Request.objects.get(pk=shipped.pk).status == Status.SHIPPED
    assert "《盛京通志》已经寄出，不能再取消" in reader_client.get("/account/ill/").content.decode()


def test_another_readers_request_is_neither_shown_nor_cancelled(shelf, reader, reader_client):
    other: Patron = shelf.reader(name="李四")
    theirs = ill.request_item(requesting_library=shelf.net.county, actor=other, patron=other, title="奉天通志")
    page = reader_client.get("/account/ill/").content.decode()
    assert "奉天通志" not in page
    reader_client.post(f"/account/ill/{theirs.pk}/cancel/")
    assert Request.objects.get(pk=theirs.pk).status == Status.REQUESTED
    assert "这条馆际互借申请不在您的账户中，没有做任何更改。" in reader_client.get("/account/ill/").content.decode()


def test_a_visitor_is_sent_to_the_reader_login(client):
    response = client.get("/account/ill/")
    assert response.status_code == 302 and response["Location"] == "/account/login/?next=%2Faccount%2Fill%2F"
