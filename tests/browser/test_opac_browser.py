"""Readers in a real browser, on a laptop and on a phone: search → record → booking → my account; a scanned item's
address → booking; large text and high contrast that stick; the keyboard; axe-core on every main reader page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.urls import reverse

from shelfmark.booklists import services as booklists
from shelfmark.booklists.tests.factories import make_list_staff
from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import CirculationRule, Hold
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import make_network
from shelfmark.patrons.tests.factories import make_patron
from tests.browser.conftest import axe_violations, new_reader_context

# available_apps makes the flush after the test TRUNCATE ... CASCADE (the search index table is raw SQL).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
]
PIN = "2468"
PUBLIC_LISTS = ["opac:new_arrivals", "opac:rankings", "opac:lists", "opac:children"]


def _library(live_server: Any) -> dict[str, Any]:
    """A network with one lending rule, a reader with a PIN, and 沈阳故宫 with its only copy out on loan."""
    net = make_network()
    CirculationRule.objects.create(loan_days=30, max_loans=5, renewals=1, hold_shelf_days=3)
    reader = make_patron(library=net.county, name="张小书", pin=PIN)
    record = make_record("沈阳故宫")
    lent = make_item(record, library=net.city, call_number="K928.7/12")
    circulation.check_out(item=lent, patron=make_patron(library=net.city), library=net.city, actor=None)
    return {"net": net, "reader": reader, "record": record, "lent": lent, "base": live_server.url}


def _log_in(page: Any, reader: Any) -> None:
    page.get_by_label("读者证号").fill(reader.card_number)
    page.get_by_label("密码（PIN）").fill(PIN)
    page.get_by_role("button", name="登录", exact=True).click()


def _fits_the_screen(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_reader_searches_opens_the_record_books_it_and_finds_the_booking_in_their_account(
    live_server, device_page, device, screenshots
):
    # given a title whose only copy is out on loan, and a reader who is not logged in yet
    world = _library(live_server)
    page, base, reader = device_page, world["base"], world["reader"]

    # when they type the title's pinyin initials, take the suggested title with the keyboard, and open it
    page.goto(f"{base}/search/")
    box = page.get_by_label("检索馆藏")
    box.press_sequentially("sygg", delay=60)
    page.get_by_role("option", name=re.compile("沈阳故宫")).first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    assert page.get_by_label("检索馆藏").input_value() == "沈阳故宫"
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshots / f"search-results-{device}.png"), full_page=True)
    page.get_by_role("link", name="沈阳故宫").first.click()
    page.wait_for_url(f"{base}/records/{world['record'].pk}/")

    # and log in from the record page to book it, coming back to the record
    page.get_by_role("link", name="登录后预约").click()
    _log_in(page, reader)
    page.wait_for_url(f"{base}/records/{world['record'].pk}/")

    # and book it for pickup at the city library
    page.get_by_label("取书地点").select_option(label="沈阳市图书馆")
    page.get_by_role("button", name="预约", exact=True).click()

    # then their account lists the booking, waiting at the city library, first in the queue
    page.wait_for_url(f"{base}/account/#holds")
    hold = Hold.objects.get(patron=reader)
    assert (hold.record_id, hold.pickup_library_id, hold.status) == (
        world["record"].pk,
        world["net"].city.pk,
        "waiting",
    )
    listed = page.locator(f"#hold-{hold.pk}")
    assert listed.locator(".title").inner_text() == "沈阳故宫"
    assert "排在第 1 位" in listed.inner_text() and "沈阳市图书馆" in listed.inner_text()
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshots / f"booked-account-{device}.png"), full_page=True)


def test_a_reader_scans_an_items_code_and_books_it(live_server, device_page, device, screenshots):
    # given the QR code on a copy that is out on loan
    world = _library(live_server)
    page, base, reader, lent = device_page, world["base"], world["reader"], world["lent"]

    # when the reader opens the address the code holds, and logs in from there to book it
    page.goto(f"{base}/i/{lent.qr_code}")
    assert page.get_by_role("heading", name="沈阳故宫", level=1).is_visible()
    page.get_by_role("link", name="登录后预约").click()
    _log_in(page, reader)
    page.wait_for_url(f"{base}/i/{lent.qr_code}")
    page.screenshot(path=str(screenshots / f"scanned-item-{device}.png"), full_page=True)
    page.get_by_role("button", name="一键预约").click()

    # then the booking is made for that title and the reader sees it in their account
    page.wait_for_url(f"{base}/account/#holds")
    hold = Hold.objects.get(patron=reader)
    assert (hold.record_id, hold.status) == (world["record"].pk, "waiting")
    assert page.locator(f"#hold-{hold.pk} .title").inner_text() == "沈阳故宫"
    assert _fits_the_screen(page)


def _root_font_px(page: Any) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)"))


def _background(page: Any) -> str:
    return str(page.evaluate("getComputedStyle(document.body).backgroundColor"))


@pytest.mark.parametrize("script", ["htmx", "no-script"])
def test_large_text_and_high_contrast_stick_across_pages_and_reloads(live_server, browser, device, script, screenshots):
    # given a fresh browser, with or without JavaScript
    base = live_server.url
    context = new_reader_context(browser, device, java_script_enabled=script == "htmx")
    page = context.new_page()
    page.goto(f"{base}/account/login/")
    normal = _root_font_px(page)
    assert (normal, page.locator("html").get_attribute("class")) == (17.0, None)

    # when the reader presses 大字 (htmx swaps the switches in place; without script the form posts and comes back)
    if script == "htmx":
        page.evaluate("window.stillHere = true")
    page.get_by_role("button", name="大字").click()
    page.wait_for_function("document.documentElement.classList.contains('text-large')")
    if script == "htmx":  # the same document changed: no reload
        assert page.evaluate("window.stillHere === true")

    # then the page is larger at once, the switch says it is on, and it stays so on the next page and a reload
    assert _root_font_px(page) == 22.0
    assert page.locator("#display-text").get_attribute("aria-pressed") == "true"
    page.get_by_role("link", name=re.compile("显示设置")).click()
    page.wait_for_url(re.compile(r"/display/"))
    assert _root_font_px(page) == 22.0
    page.reload()
    assert (_root_font_px(page), page.locator("html").get_attribute("class")) == (22.0, "text-large")

    # when they also choose high contrast, then the page turns white on black, on this page and after a reload
    page.get_by_role("button", name="高对比").click()
    page.wait_for_function("document.documentElement.classList.contains('contrast-high')")
    assert _background(page) == "rgb(0, 0, 0)"
    page.goto(f"{base}/account/login/")
    assert (_background(page), _root_font_px(page)) == ("rgb(0, 0, 0)", 22.0)
    assert _fits_the_screen(page)
    page.screenshot(path=str(screenshots / f"large-high-contrast-{device}-{script}.png"), full_page=True)

    # and pressing 大字 again returns to normal text, keeping high contrast
    page.get_by_role("button", name="大字").click()
    page.wait_for_function("!document.documentElement.classList.contains('text-large')")
    page.reload()
    assert (_root_font_px(page), page.locator("html").get_attribute("class")) == (normal, "contrast-high")
    context.close()


def test_the_keyboard_reaches_the_skip_link_and_the_switches_with_a_visible_focus(live_server, page):
    base = live_server.url
    page.goto(f"{base}/display/")

    # the first Tab shows the skip link, and Enter moves to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Tab reaches 大字 with a focus ring, and Space turns it on with the focus kept on the switch
    page.goto(f"{base}/display/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "display-text":
            break
    ring = page.evaluate(
        "(e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth])(document.activeElement)"
    )
    assert ring == ["solid", "3px"]
    page.keyboard.press("Space")
    page.wait_for_function("document.documentElement.classList.contains('text-large')")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'display-text'")
    assert page.locator("#display-text").get_attribute("aria-pressed") == "true"


def _main_pages(world: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(name, address, logged in) of every main reader page, with a published children's list to show."""
    record, lent = world["record"], world["lent"]
    cataloguer = make_list_staff(world["net"]).county_cataloguer
    picks = booklists.create_list(
        library=world["net"].county, title="暑期少儿书单", kind="children", age_band="7-9", actor=cataloguer
    )
    booklists.add_entry(book_list=picks, record=record, actor=cataloguer, note="讲沈阳故宫的图画书")
    booklists.publish(book_list=picks, actor=cataloguer)
    pages = [
        ("login", "/account/login/", False),
        ("display", "/display/", False),
        ("record", f"/records/{record.pk}/", False),
        ("item", f"/i/{lent.qr_code}", False),
        ("record-reader", f"/records/{record.pk}/", True),
        ("account", "/account/", True),
        ("find", f"/account/book/?q={quote('故宫')}", True),
        ("ill", f"/account/ill/?record={record.pk}", True),
    ]
    pages += [("search", "/search/", False), ("results", f"/search/?q={quote('故宫')}", False)]
    pages += [(name.split(":")[1], reverse(name), False) for name in PUBLIC_LISTS]
    pages += [("list", f"/lists/{picks.pk}/", False), ("children-band", "/children/7-9/", False)]
    return pages


@pytest.mark.parametrize("display", ["normal", "large-high"])
def test_axe_finds_no_serious_or_critical_violation_on_the_main_reader_pages(
    live_server, browser, device, display, axe_script, screenshots
):
    # given the catalogue, a reader with a loan and a booking, in the normal or the large high-contrast display
    world = _library(live_server)
    base, reader = world["base"], world["reader"]
    circulation.check_out(
        item=make_item(make_record("辽宁通史"), library=world["net"].county),
        patron=reader,
        library=world["net"].county,
        actor=None,
    )
    circulation.place_hold(patron=reader, record=world["record"], actor=reader, pickup_library=world["net"].city)
    context = new_reader_context(browser, device)
    context.add_cookies([{"name": "shelfmark_display", "value": display, "url": base}])
    visitor = context.new_page()
    reader_context = new_reader_context(browser, device)
    reader_context.add_cookies([{"name": "shelfmark_display", "value": display, "url": base}])
    signed_in = reader_context.new_page()
    signed_in.goto(f"{base}/account/login/")
    _log_in(signed_in, reader)
    signed_in.wait_for_url(f"{base}/account/")

    # when axe-core checks each main page
    found: dict[str, list[str]] = {}
    checked = []
    for name, address, logged_in in _main_pages(world):
        page = signed_in if logged_in else visitor
        page.goto(f"{base}{address}")
        checked.append(name)
        found[name] = axe_violations(page, axe_script)
        if not _fits_the_screen(page):  # WCAG 1.4.10: reflows to the phone's width without sideways scrolling
            found[name].append(f"page is wider than the {device} screen")
        page.screenshot(path=str(screenshots / f"axe-{name}-{device}-{display}.png"), full_page=True)

    context.close()
    reader_context.close()

    # then none has a serious or critical violation, and none scrolls sideways
    assert {name: problems for name, problems in found.items() if problems} == {}
    assert len(checked) == 16


def test_a_missing_axe_core_fails_in_ci(monkeypatch, tmp_path: Path):
    """In CI (`CI` set) the accessibility check may not skip for want of node_modules."""
    from tests.browser import conftest

    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(conftest, "AXE", tmp_path / "axe.min.js")

    with pytest.raises(pytest.fail.Exception, match="npm ci"):
        conftest.require_axe()
