"""Large text and high contrast stick in a cookie read server-side; the public frame's navigation, labels and lang."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from shelfmark.opac.display import COOKIE
from shelfmark.opac.tests.conftest import log_in

pytestmark = pytest.mark.django_db

PUBLIC_NAV = ["opac:search", "opac:new_arrivals", "opac:rankings", "opac:lists", "opac:children"]


def _html(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def _switch(page: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement:
    return page.xpath(f"//form[@id='display-switches']//button[@name='{name}']")[0]


def _resolves(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def test_a_first_visit_shows_the_normal_page_with_both_switches_off(client):
    page = _html(client.get("/account/login/"))

    assert page.get("class") is None
    assert (_switch(page, "text").get("aria-pressed"), _switch(page, "text").get("value")) == ("false", "large")
    assert (_switch(page, "contrast").get("aria-pressed"), _switch(page, "contrast").get("value")) == ("false", "high")


def test_large_text_is_set_by_a_plain_form_and_sticks_on_the_next_pages(client, reader):
    # when the reader presses 大字 on the login page (no script: a form post)
    response = client.post("/display/", {"text": "large", "next": "/account/login/"})

    # then they come back to the login page, with a long-lived cookie only the server reads
    assert (response.status_code, response["Location"]) == (303, "/account/login/")
    cookie = response.cookies[COOKIE]
    assert (cookie.value, cookie["max-age"], cookie["httponly"], cookie["samesite"]) == (
        "large",
        63072000,
        True,
        "Lax",
    )

    # and every page after renders large from its first byte, the switch now saying it is on
    login = _html(client.get("/account/login/"))
    assert login.get("class") == "text-large"
    assert (_switch(login, "text").get("aria-pressed"), _switch(login, "text").get("value")) == ("true", "normal")
    log_in(client, reader)
    assert _html(client.get("/account/")).get("class") == "text-large"


def test_high_contrast_joins_large_text_and_each_turns_off_alone(client):
    client.post("/display/", {"text": "large", "next": "/account/login/"})
    client.post("/display/", {"contrast": "high", "next": "/account/login/"})
    assert _html(client.get("/account/login/")).get("class") == "text-large contrast-high"

    client.post("/display/", {"text": "normal", "next": "/account/login/"})

    assert _html(client.get("/account/login/")).get("class") == "contrast-high"
    assert client.cookies[COOKIE].value == "high"


def test_with_htmx_the_switches_come_back_with_an_event_carrying_the_new_classes(client):
    # when the switch is pressed with htmx
    response = client.post("/display/", {"contrast": "high", "next": "/account/login/"}, HTTP_HX_REQUEST="true")

    # then the switches are swapped in place (contrast on), the page is told its new classes, and the cookie is set
    assert response.status_code == 200
    switches = _html(response)
    assert switches.get("id") == "display-switches"
    assert switches.xpath(".//input[@name='next']")[0].get("value") == "/account/login/"
    assert switches.xpath(".//button[@name='contrast']")[0].get("aria-pressed") == "true"
    assert json.loads(response["HX-Trigger"]) == {"display-changed": {"classes": "contrast-high"}}
    assert response.cookies[COOKIE].value == "high"


@pytest.mark.parametrize(
    ("data", "named"),
    [({"text": "huge"}, "字号（text）"), ({"contrast": "max"}, "对比度（contrast）"), ({}, "字号（text）或对比度")],
)
def test_a_bad_choice_is_refused_naming_the_field_and_changes_nothing(client, data, named):
    client.cookies[COOKIE] = "large"

    response = client.post("/display/", {**data, "next": "/account/login/"})

    assert response.status_code == 400
    assert named in _html(response).xpath("//p[@class='alert']")[0].text_content()
    assert COOKIE not in response.cookies
    assert _html(response).get("class") == "text-large"


def test_the_switch_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)

    response = client.post("/display/", {"text": "large"})

    assert response.status_code == 403
    assert COOKIE not in response.cookies


def test_the_switch_never_redirects_off_the_site(client):
    response = client.post("/display/", {"text": "large", "next": "https://evil.example/"})

    assert response.status_code == 303
    assert response["Location"] == (_resolves("opac:search") or "/account/login/")


def test_after_a_post_the_switches_return_to_the_page_the_form_was_on(client, reader):
    # when a wrong PIN re-renders the login page (a post), coming from the login page with a next address
    came_from = "/account/login/?next=/account/book/"
    page = _html(
        client.post(
            "/account/login/", {"card": reader.card_number, "pin": "9999"}, HTTP_REFERER=f"http://testserver{came_from}"
        )
    )

    # then the display and language switches go back to that page
    assert page.xpath("//form[@id='display-switches']//input[@name='next']")[0].get("value") == came_from
    assert page.xpath("//button[@name='language']/../input[@name='next']")[0].get("value") == came_from

    # and a Referer from another site is ignored: a visitor goes to the public start page
    elsewhere = _html(
        client.post(
            "/account/login/", {"card": reader.card_number, "pin": "9999"}, HTTP_REFERER="https://evil.example/x"
        )
    )
    assert elsewhere.xpath("//form[@id='display-switches']//input[@name='next']")[0].get("value") == (
        _resolves("opac:search") or "/account/login/"
    )


def test_the_display_page_shows_the_current_choice_and_saves_both(client):
    client.cookies[COOKIE] = "high"
    page = _html(client.get("/display/?next=/account/login/"))

    checked = {
        (radio.get("name"), radio.get("value")) for radio in page.xpath("//main//input[@type='radio'][@checked]")
    }
    assert checked == {("text", "normal"), ("contrast", "high")}
    assert page.xpath("//main//form//input[@name='next']")[0].get("value") == "/account/login/"

    response = client.post("/display/", {"text": "large", "contrast": "normal", "next": "/account/login/"})
    assert (response["Location"], client.cookies[COOKIE].value) == ("/account/login/", "large")


def test_an_unknown_cookie_value_shows_the_normal_page(client):
    client.cookies[COOKIE] = "<script>-giant"

    page = _html(client.get("/account/login/"))

    assert page.get("class") is None


def test_pages_are_zh_hans_with_the_english_switch_marked_english_and_en_after_choosing_it(client):
    page = _html(client.get("/account/login/"))
    assert page.get("lang") == "zh-Hans"
    assert page.xpath("//button[@name='language']")[0].get("lang") == "en"

    client.post("/i18n/setlang/", {"language": "en", "next": "/account/login/"})

    assert page.xpath("//label[@for='id_pin']/span")[0].get("lang") == "en"  # 密码（PIN）

    english = _html(client.get("/account/login/"))
    assert english.get("lang") == "en"
    assert english.xpath("//button[@name='language']")[0].get("lang") == "zh-Hans"
    assert english.xpath("//*[@id='display-text']")[0].text_content() == "Large text"


def test_the_public_navigation_links_every_page_that_exists_and_login_or_account(client, reader):
    # when a visitor opens a public page
    page = _html(client.get("/account/login/"))

    # then the navigation has a link for each public page whose route exists (parts may land later), and login
    nav = {link.get("href") for link in page.xpath("//nav[@class='public']//a")}
    expected = {url for url in map(_resolves, PUBLIC_NAV) if url}
    assert nav == expected | {"/account/login/"}
    assert page.xpath("//nav[@class='public']//a[@aria-current='page']")[0].get("href") == "/account/login/"
    assert page.xpath("//nav[@class='sections']") == []

    # and a logged-in reader gets their account instead of login, and the account's section navigation
    log_in(client, reader)
    account = _html(client.get("/account/"))
    assert {link.get("href") for link in account.xpath("//nav[@class='public']//a")} == expected | {"/account/"}
    assert len(account.xpath("//nav[@class='sections']//a")) == 7


def test_the_opensearch_link_is_in_the_head_exactly_when_its_route_exists(client):
    links = _html(client.get("/account/login/")).xpath("//head/link[@rel='search']")

    opensearch = _resolves("opac:opensearch")
    assert [link.get("href") for link in links] == ([opensearch] if opensearch else [])
    if links:
        assert links[0].get("type") == "application/opensearchdescription+xml"


READER_PAGES = ["/account/login/", "/account/", "/account/book/?q=沈阳", "/display/"]


@pytest.mark.parametrize("url", READER_PAGES)
def test_every_control_on_the_reader_pages_has_a_name(reader_client, shelf, url):
    """A screen reader names every field and button: a <label for>, an enclosing label, aria-label(ledby) or text."""
    record = shelf.record("沈阳故宫")
    shelf.item(record)
    pages = [url, f"/records/{record.pk}/"]

    unnamed = []
    for address in pages:
        visitor = Client() if address == "/account/login/" else reader_client  # a reader is sent on from login
        page = _html(visitor.get(address))
        labelled = {label.get("for") for label in page.xpath("//label[@for]")}
        for control in page.xpath("//input | //select | //textarea | //button"):
            if control.get("type") == "hidden":
                continue
            named = (
                control.get("id") in labelled
                or control.get("aria-label")
                or control.get("aria-labelledby")
                or any(parent.tag == "label" for parent in control.iterancestors())
                or (control.tag == "button" and control.text_content().strip())
            )
            if not named:
                unnamed.append((address, lxml.html.tostring(control).decode()[:120]))

    assert unnamed == []


LATIN_WORD = re.compile(r"^[A-Za-z][A-Za-z ]*[A-Za-z]$")


def _unmarked_english(page: lxml.html.HtmlElement) -> list[str]:
    """English words (a text that is only Latin letters) on a Chinese page without a lang of their own."""
    found = []
    for text in page.xpath("//body//text()[normalize-space()]"):
        word = text.strip()
        parent = text.getparent()
        if parent is None or parent.tag in ("script", "style") or not LATIN_WORD.match(word):
            continue
        langs = [element.get("lang") for element in [parent, *parent.iterancestors()] if element.get("lang")]
        if not langs or langs[0] == "zh-Hans":
            found.append(word)
    return found


def test_english_words_on_chinese_reader_pages_are_marked_english(reader_client, shelf):
    """A screen reader reading Chinese switches voice for ISBN, PIN, RSS: each needs lang="en" around it."""
    record = shelf.record("沈阳故宫")
    item = shelf.item(record)
    pages = ["/account/", f"/records/{record.pk}/", f"/i/{item.qr_code}", "/account/book/?q=故宫", "/display/"]
    pages += [url for url in map(_resolves, PUBLIC_NAV) if url]
    if _resolves("opac:search"):
        pages.append("/search/?q=故宫")

    unmarked = {}
    for address in pages:
        response = reader_client.get(address)
        assert response.status_code == 200, address
        if words := _unmarked_english(_html(response)):
            unmarked[address] = words
    login = _unmarked_english(_html(Client().get("/account/login/")))

    assert unmarked == {}
    assert login == []
