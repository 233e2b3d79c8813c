"""My account: loans, renewals and their refusals, bookings and cancelling, fines, standing, history, ownership."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import Hold, Loan
from shelfmark.fines import services as fines
from shelfmark.patrons.models import Patron

pytestmark = pytest.mark.django_db


def _loan(loan: Loan) -> tuple[object, int, str]:
    loan.refresh_from_db()
    return loan.due_on, loan.renewals, loan.status


def test_the_account_shows_loans_with_due_dates_and_overdue_marks(shelf, reader, reader_client):
    # given one loan due in future and one 40 days old (due ten days ago on a 30-day rule)
    fresh = shelf.lend(reader, shelf.item(shelf.record("辽宁通史")))
    late = shelf.lend(reader, shelf.item(shelf.record("沈阳故宫")), days_ago=40)

    # when the reader opens their account
    page = reader_client.get("/account/").content.decode()

    # then both loans are listed with their due dates, and only the late one is marked overdue
    assert "辽宁通史" in page and "沈阳故宫" in page
    assert f'<time datetime="{fresh.due_on:%Y-%m-%d}">' in page
    overdue_days = (timezone.localdate() - late.due_on).days
    assert overdue_days >= 10
    assert page.count('class="badge bad"') == 1
    assert f"已逾期 {overdue_days} 天" in page

    # and the page says why new loans are refused until the late one is back
    assert "有 1 本图书已逾期，归还后才能借新书" in page
    assert f'id="loan-{late.pk}"' in page and 'class="loan overdue"' in page


def test_renewing_a_loan_moves_its_due_date_and_says_so(shelf, reader, reader_client):
    # given a loan made 20 days ago
    loan = shelf.lend(reader, days_ago=20)
    due_before = loan.due_on

    # when the reader renews it
    response = reader_client.post(f"/account/loans/{loan.pk}/renew/")

    # then it is due later, counted once, and the account says the new date
    assert (response.status_code, response["Location"]) == (303, "/account/#loans")
    due, renewals, status = _loan(loan)
    assert due > due_before and (renewals, status) == (1, "active")
    page = reader_client.get("/account/").content.decode()
    assert f"已续借，新的应还日期是 {due:%Y-%m-%d}。" in page


def test_a_renewal_is_refused_when_another_reader_waits_and_nothing_changes(shelf, reader, reader_client):
    # given a loan whose title another reader has booked
    loan = shelf.lend(reader, days_ago=20)
    other = shelf.reader()
    circulation.place_hold(patron=other, record=loan.item.record, pickup_library=shelf.net.county, actor=None)
    before = _loan(loan)

    # when the reader tries to renew it
    response = reader_client.post(f"/account/loans/{loan.pk}/renew/")

    # then the page says others are waiting, and the loan is as it was
    assert response.status_code == 409
    assert "有其他读者在排队预约这本书，不能续借" in response.content.decode()
    assert _loan(loan) == before


def test_a_renewal_is_refused_once_the_renewals_are_used_up(shelf, reader, reader_client):
    # given a loan already renewed once under a rule that allows one renewal
    loan = shelf.lend(reader, days_ago=20)
    reader_client.post(f"/account/loans/{loan.pk}/renew/")
    before = _loan(loan)
    assert before[1] == 1

    # when the reader renews it again
    response = reader_client.post(f"/account/loans/{loan.pk}/renew/")

    # then the limit is named and the loan is unchanged
    assert response.status_code == 409
    assert "已续借 1 次，达到续借次数上限（1 次）。" in response.content.decode()
    assert _loan(loan) == before


def test_another_readers_loan_id_changes_nothing_and_says_so(shelf, reader, reader_client):
    # given a loan of another reader
    theirs = shelf.lend(shelf.reader())
    before = _loan(theirs)

    # when this reader posts a renewal for it
    response = reader_client.post(f"/account/loans/{theirs.pk}/renew/")

    # then it is refused as not theirs, and the other reader's loan is untouched
    assert response.status_code == 404
    assert "这笔借阅不在您的账户中，没有做任何更改。" in response.content.decode()
    assert _loan(theirs) == before

    # and the language switch on that page leads back to the account, not to the post's address
    assert '<input name="next" type="hidden" value="/account/">' in response.content.decode()


def test_an_htmx_renewal_answers_with_the_loan_row_only(shelf, reader, reader_client):
    loan = shelf.lend(reader, days_ago=20)

    response = reader_client.post(f"/account/loans/{loan.pk}/renew/", headers={"HX-Request": "true"})

    body = response.content.decode()
    due, renewals, _ = _loan(loan)
    assert response.status_code == 200
    assert body.startswith(f'<li class="loan" id="loan-{loan.pk}">')
    assert "<html" not in body
    assert f"已续借，新的应还日期是 {due:%Y-%m-%d}。" in body and renewals == 1


def test_an_htmx_renewal_refused_answers_with_the_row_and_the_reason(shelf, reader, reader_client):
    # given a loan another reader is waiting for
    loan = shelf.lend(reader, days_ago=20)
    circulation.place_hold(patron=shelf.reader(), record=loan.item.record, pickup_library=shelf.net.county, actor=None)
    before = _loan(loan)

    # when the renew button posts through htmx
    response = reader_client.post(f"/account/loans/{loan.pk}/renew/", headers={"HX-Request": "true"})

    # then the row comes back (200, so htmx swaps it) saying why, and the loan is unchanged
    body = response.content.decode()
    assert response.status_code == 200
    assert '<p class="alert" role="alert">有其他读者在排队预约这本书，不能续借，请按期归还。</p>' in body
    assert _loan(loan) == before


def test_an_htmx_cancel_answers_with_the_cancelled_row_without_its_button(shelf, reader, reader_client):
    hold = circulation.place_hold(
        patron=reader, record=shelf.item().record, pickup_library=shelf.net.county, actor=None
    )

    response = reader_client.post(f"/account/holds/{hold.pk}/cancel/", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith(f'<li class="hold" id="hold-{hold.pk}">')
    assert "已取消" in body and "预约已取消。" in body and "<form" not in body


def test_the_account_page_reads_a_fixed_number_of_queries_however_many_loans(shelf, reader, reader_client):
    # given one loan, the page's query count
    shelf.lend(reader)
    with CaptureQueriesContext(connection) as one:
        assert reader_client.get("/account/").status_code == 200

    # when the reader has four loans
    for _ in range(3):
        shelf.lend(reader)
    with CaptureQueriesContext(connection) as four:
        assert reader_client.get("/account/").status_code == 200

    # then the page costs the same number of queries
    assert len(four.captured_queries) == len(one.captured_queries)


def test_a_form_posted_twice_renews_once(shelf, reader, reader_client):
    # given a rule allowing two renewals, and a renew form with its key
    shelf.rule.renewals = 2
    shelf.rule.save()
    loan = shelf.lend(reader, days_ago=20)
    form = {"key": "0123456789abcdef0123456789abcdef"}

    # when the same form arrives twice (a double tap, a retry after a timeout)
    first = reader_client.post(f"/account/loans/{loan.pk}/renew/", form)
    second = reader_client.post(f"/account/loans/{loan.pk}/renew/", form)

    # then the loan was renewed once
    assert (first.status_code, second.status_code) == (303, 303)
    assert _loan(loan)[1] == 1


def test_renew_all_renews_what_it_can_and_names_each_refusal(shelf, reader, reader_client):
    # given two loans, the second booked by another reader
    free = shelf.lend(reader, shelf.item(shelf.record("辽宁通史")), days_ago=20)
    wanted = shelf.lend(reader, shelf.item(shelf.record("沈阳故宫")), days_ago=20)
    circulation.place_hold(
        patron=shelf.reader(), record=wanted.item.record, pickup_library=shelf.net.county, actor=None
    )
    wanted_before = _loan(wanted)

    # when the reader renews all
    response = reader_client.post("/account/loans/renew-all/", follow=True)

    # then the free one is renewed, the wanted one refused by name, and unchanged
    page = response.content.decode()
    assert _loan(free)[1] == 1
    assert _loan(wanted) == wanted_before
    assert "《辽宁通史》已续借" in page
    assert "《沈阳故宫》有其他读者在排队预约这本书，不能续借" in page


def test_the_account_lists_holds_with_status_queue_position_and_pickup(shelf, reader, reader_client):
    # given a title booked first by another reader, then by this one for pickup at the city library
    record = shelf.record("辽宁通史")
    shelf.lend(shelf.reader(), shelf.item(record))
    circulation.place_hold(patron=shelf.reader(), record=record, pickup_library=shelf.net.county, actor=None)
    hold = circulation.place_hold(patron=reader, record=record, pickup_library=shelf.net.city, actor=None)

    page = reader_client.get("/account/").content.decode()

    assert f'id="hold-{hold.pk}"' in page
    assert "排队中" in page and "排在第 2 位" in page and "取书地点：沈阳市图书馆" in page


def test_cancelling_a_hold(shelf, reader, reader_client):
    hold = circulation.place_hold(
        patron=reader, record=shelf.item().record, pickup_library=shelf.net.county, actor=None
    )

    response = reader_client.post(f"/account/holds/{hold.pk}/cancel/", follow=True)

    hold.refresh_from_db()
    assert hold.status == Hold.Status.CANCELLED
    assert "预约已取消。" in response.content.decode()
    assert f'id="hold-{hold.pk}"' not in response.content.decode()


def test_another_readers_hold_id_changes_nothing_and_says_so(shelf, reader, reader_client):
    theirs = circulation.place_hold(
        patron=shelf.reader(), record=shelf.item().record, pickup_library=shelf.net.county, actor=None
    )

    response = reader_client.post(f"/account/holds/{theirs.pk}/cancel/")

    theirs.refresh_from_db()
    assert response.status_code == 404
    assert "这个预约不在您的账户中，没有做任何更改。" in response.content.decode()
    assert theirs.status == Hold.Status.WAITING


def test_a_cancelled_hold_cannot_be_cancelled_again(shelf, reader, reader_client):
    hold = circulation.place_hold(
        patron=reader, record=shelf.item().record, pickup_library=shelf.net.county, actor=None
    )
    circulation.cancel_hold(hold=hold, actor=None)

    response = reader_client.post(f"/account/holds/{hold.pk}/cancel/")

    assert response.status_code == 409
    assert "这个预约已是“已取消”状态，不能再取消。" in response.content.decode()


def test_fines_and_credit_standing_are_shown_in_plain_words(shelf, reader, reader_client):
    # given a reader owing 3.50 yuan for a damaged book
    fines.add_charge(patron=reader, kind="damage", amount="3.50", source="test:1", actor=None, note="封面破损")

    page = reader_client.get("/account/").content.decode()

    # then the charge and the total are listed, and the standing names its terms
    assert "损坏赔偿" in page and "封面破损" in page and "<strong>3.50</strong>" in page
    reader.refresh_from_db()
    assert reader.fines_owed == Decimal("3.50")
    assert "信用一般" in page and "信用分 634（满分 1000）" in page
    assert "每位读者的起始分" in page and "未缴欠款 3.50 元" in page and "-16" in page
    assert "可以免押金借书，可借册数按规定。" in page


def test_opting_in_keeps_returned_loans_as_history(shelf, reader, reader_client):
    # given the reader has not opted in: a returned loan is not shown
    assert "借阅历史未开启" in reader_client.get("/account/").content.decode()

    # when they opt in
    response = reader_client.post("/account/history/", {"opt_in": "1"})
    assert (response.status_code, response["Location"]) == (303, "/account/#history")
    assert Patron.objects.get(pk=reader.pk).history_opt_in is True

    # and return a book afterwards
    item = shelf.item(shelf.record("辽宁通史"))
    shelf.lend(Patron.objects.get(pk=reader.pk), item, days_ago=3)
    circulation.check_in(item=item, library=shelf.net.county, actor=None)

    # then the book is in their history
    page = reader_client.get("/account/").content.decode()
    assert "借阅历史已开启" in page
    history = page[page.index('id="history"') :]
    assert "辽宁通史" in history

    # and opting out again is recorded
    reader_client.post("/account/history/", {"opt_in": "0"})
    assert Patron.objects.get(pk=reader.pk).history_opt_in is False


def test_blocks_are_explained(shelf, reader, reader_client):
    Patron.objects.filter(pk=reader.pk).update(expires_on=timezone.localdate() - timedelta(days=1))

    page = reader_client.get("/account/").content.decode()

    assert "您的借阅权限目前暂停" in page
    assert f"读者证已于 {timezone.localdate() - timedelta(days=1):%Y-%m-%d} 到期" in page


def test_contact_details_are_shown(reader_client):
    page = reader_client.get("/account/").content.decode()
    contact = page[page.index('id="contact"') :]

    assert "13800000000" in contact and "zhang@example.cn" in contact and "康平县图书馆" in contact


def test_posts_without_the_csrf_token_are_refused(shelf, reader):
    # given a client that enforces CSRF like a browser, logged in
    client = Client(enforce_csrf_checks=True)
    login_page = client.get("/account/login/")
    token = login_page.cookies["csrftoken"].value
    client.post("/account/login/", {"card": reader.card_number, "pin": "1234", "csrfmiddlewaretoken": token})
    loan = shelf.lend(reader, days_ago=20)
    before = _loan(loan)

    # when a post arrives without the token (a forged form on another site)
    response = client.post(f"/account/loans/{loan.pk}/renew/")

    # then it is refused and nothing changed
    assert response.status_code == 403
    assert _loan(loan) == before


def test_a_staff_login_is_not_a_reader_session(shelf, client, reader):
    from shelfmark.accounts import services as accounts

    staff = accounts.create_staff(username="desk", password="pw-123456", library=shelf.net.city, roles=[])
    client.force_login(staff)

    assert client.get("/account/").status_code == 302


def test_the_account_speaks_english_after_the_switch(shelf, reader, reader_client):
    loan = shelf.lend(reader, days_ago=40)
    circulation.place_hold(patron=reader, record=shelf.item().record, pickup_library=shelf.net.city, actor=None)
    reader_client.post("/i18n/setlang/", {"language": "en", "next": "/account/"})

    page = reader_client.get("/account/").content.decode()

    assert '<html lang="en">' in page
    assert f"Renew “{loan.item.record.title}”" in page and "days overdue" in page
    assert "Pickup: 沈阳市图书馆" in page and "Reading history is off" in page
