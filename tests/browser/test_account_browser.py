"""A reader on a phone logs in, sees their loans, renews one, books a title and finds the booking in their account."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import CirculationRule, Hold, Loan
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import make_network
from shelfmark.patrons.tests.factories import make_patron

# available_apps makes the flush after the test TRUNCATE ... CASCADE (the search index table is raw SQL).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
]
SCREENSHOT_DIR = Path(os.environ.get("SHELFMARK_SCREENSHOT_DIR") or tempfile.gettempdir())


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized, touch browser context in Chinese."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def test_a_reader_on_a_phone_renews_a_loan_and_books_a_title(live_server, phone):
    # given a reader with two loans at the county library, and a title out on loan to someone else
    net = make_network()
    CirculationRule.objects.create(loan_days=30, max_loans=5, renewals=1, hold_shelf_days=3)
    reader = make_patron(library=net.county, name="张小书", pin="2468")
    lent_at = timezone.now() - timedelta(days=20)
    first = circulation.check_out(
        item=make_item(make_record("辽宁通史"), library=net.county, price=Decimal("30.00")),
        patron=reader,
        library=net.county,
        actor=None,
        now=lent_at,
    )
    circulation.check_out(
        item=make_item(make_record("图书馆学概论"), library=net.county), patron=reader, library=net.county, actor=None
    )
    wanted = make_item(make_record("沈阳故宫"), library=net.city)
    circulation.check_out(item=wanted, patron=make_patron(library=net.city), library=net.city, actor=None)
    page = phone

    # when they log in with card number and PIN
    page.goto(f"{live_server.url}/account/")
    page.wait_for_url("**/account/login/?next=%2Faccount%2F")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.get_by_label("读者证号").fill(reader.card_number)
    page.get_by_label("密码（PIN）").fill("2468")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/account/")

    # then they see both loans with their due dates
    loans = page.locator("#loans li.loan")
    assert loans.count() == 2
    row = page.locator(f"#loan-{first.pk}")
    assert row.locator(".title").inner_text() == "辽宁通史"
    assert row.locator("time").get_attribute("datetime") == first.due_on.isoformat()

    # when they renew the first one
    row.get_by_role("button", name="续借《辽宁通史》").click()

    # then the row says the new due date in place, and the loan was renewed once
    page.locator(f"#loan-{first.pk} p.ok").wait_for()
    renewed = Loan.objects.get(pk=first.pk)
    assert (renewed.renewals, renewed.due_on > first.due_on) == (1, True)
    assert f"新的应还日期是 {renewed.due_on:%Y-%m-%d}" in page.locator(f"#loan-{first.pk} p.ok").inner_text()
    assert page.locator(f"#loan-{first.pk} time").get_attribute("datetime") == renewed.due_on.isoformat()

    # when they look for a title to book and open it
    page.get_by_role("link", name="找书预约").first.click()
    page.get_by_label("书名").fill("故宫")
    page.get_by_role("button", name="检索").click()
    page.get_by_role("link", name="沈阳故宫").click()

    # and book it for pickup at the city library
    page.get_by_label("取书地点").select_option(label="沈阳市图书馆")
    page.get_by_role("button", name="预约", exact=True).click()

    # then the account lists the booking, waiting at the city library, first in the queue
    page.wait_for_url(f"{live_server.url}/account/#holds")
    hold = Hold.objects.get(patron=reader)
    assert (hold.record_id, hold.pickup_library_id, hold.status) == (wanted.record_id, net.city.pk, "waiting")
    listed = page.locator(f"#hold-{hold.pk}")
    assert listed.locator(".title").inner_text() == "沈阳故宫"
    assert "排在第 1 位" in listed.inner_text() and "沈阳市图书馆" in listed.inner_text()
    assert "《沈阳故宫》已预约" in page.locator("ul.messages").inner_text()

    # and the page fits the phone's width (nothing to scroll sideways)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOT_DIR / "shelfmark-reader-account-phone.png"), full_page=True)
