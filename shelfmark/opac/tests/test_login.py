"""Reader login with card number and PIN: the lockout's typed messages, safe redirects, logout, language."""

from __future__ import annotations

import pytest
from django.utils import timezone

from shelfmark.opac.tests.conftest import PIN, log_in
from shelfmark.patrons.auth import SESSION_KEY
from shelfmark.patrons.models import Patron

pytestmark = pytest.mark.django_db


def test_the_account_sends_a_visitor_without_a_reader_session_to_the_login_page(client, reader):
    # when someone not logged in opens the account
    response = client.get("/account/")

    # then they are sent to the reader login, coming back to the account afterwards
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=%2Faccount%2F"


def test_a_reader_logs_in_with_card_and_pin_and_sees_their_account(client, reader):
    # when the reader logs in with their card number and PIN
    response = client.post("/account/login/", {"card": reader.card_number, "pin": PIN, "next": "/account/"})

    # then they land on their account, greeted by name
    assert (response.status_code, response["Location"]) == (303, "/account/")
    page = client.get("/account/")
    assert page.status_code == 200
    assert "张小书，您好" in page.content.decode()
    assert client.session[SESSION_KEY] == reader.pk


def test_a_wrong_pin_says_how_many_tries_are_left_and_logs_nobody_in(client, reader):
    # when the reader types a wrong PIN
    response = client.post("/account/login/", {"card": reader.card_number, "pin": "9999"})

    # then the page says so with the tries left before the lock, and nobody is logged in
    assert response.status_code == 403
    assert "密码不正确。再错 4 次，读者证将被锁定 15 分钟。" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert Patron.objects.get(pk=reader.pk).failed_pin_attempts == 1


def test_five_wrong_pins_lock_the_card_until_a_time_even_against_the_right_pin(client, reader):
    # given four wrong PINs in a row
    for _ in range(4):
        client.post("/account/login/", {"card": reader.card_number, "pin": "9999"})

    # when the fifth is wrong too
    fifth = client.post("/account/login/", {"card": reader.card_number, "pin": "9999"})

    # then the card is locked and the page says until when
    locked = Patron.objects.get(pk=reader.pk)
    assert locked.pin_locked_until is not None
    until = timezone.localtime(locked.pin_locked_until)
    assert fifth.status_code == 423
    assert f"读者证已锁定，请于 {until:%Y-%m-%d %H:%M} 之后再试" in fifth.content.decode()

    # and the right PIN is refused with the same message while the lock lasts
    right = client.post("/account/login/", {"card": reader.card_number, "pin": PIN})
    assert right.status_code == 423
    assert "读者证已锁定" in right.content.decode()
    assert SESSION_KEY not in client.session


def test_an_unknown_card_is_named_and_nobody_is_logged_in(client, reader):
    response = client.post("/account/login/", {"card": "NO-SUCH-CARD", "pin": PIN})

    assert response.status_code == 404
    assert "没有找到读者证号 NO-SUCH-CARD" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_never_redirects_off_the_site(client, reader):
    response = client.post(
        "/account/login/", {"card": reader.card_number, "pin": PIN, "next": "https://evil.example/steal"}
    )

    assert (response.status_code, response["Location"]) == (303, "/account/")


def test_logout_ends_the_reader_session_and_only_by_post(reader_client):
    # a GET does not log out (a link or image elsewhere cannot end the session)
    assert reader_client.get("/account/logout/").status_code == 405
    assert SESSION_KEY in reader_client.session

    # when the reader posts the logout form
    response = reader_client.post("/account/logout/")

    # then the session no longer names them and the account asks for a login again
    assert (response.status_code, response["Location"]) == (303, "/account/login/")
    assert SESSION_KEY not in reader_client.session
    assert reader_client.get("/account/").status_code == 302


def test_pages_are_chinese_by_default_and_english_after_the_switch(client, reader):
    # by default the page is zh-Hans
    chinese = client.get("/account/login/").content.decode()
    assert '<html lang="zh-Hans">' in chinese
    assert "读者登录" in chinese

    # when the reader picks English with the switch
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/account/login/"})
    assert switched.status_code == 302

    # then the page is in English, and says so in its lang attribute
    english = client.get("/account/login/").content.decode()
    assert '<html lang="en">' in english
    assert "Reader login" in english
    assert "Card number" in english


def test_every_login_field_has_a_label(client):
    page = client.get("/account/login/").content.decode()

    assert '<label for="id_card">' in page and 'id="id_card"' in page
    assert '<label for="id_pin">' in page and 'id="id_pin"' in page


def test_a_second_reader_logging_in_replaces_the_first(client, shelf, reader):
    # given one reader logged in, then another logs in in the same browser
    log_in(client, reader)
    other = shelf.reader(name="李四")
    log_in(client, other)

    # then the account is the second reader's
    assert "李四，您好" in client.get("/account/").content.decode()
