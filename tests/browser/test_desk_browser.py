"""A clerk opens the circulation desk, lends two copies to a scanned card, and checks one in at another library."""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation.models import CirculationRule, Loan, Transit
from shelfmark.holdings import qr
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import make_network
from shelfmark.patrons.tests.factories import make_patron

# available_apps makes the flush TRUNCATE ... CASCADE, which the raw search index table needs on PostgreSQL.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
]
SCREENSHOT_DIR = Path(os.environ.get("SHELFMARK_SCREENSHOT_DIR") or tempfile.gettempdir())


def test_a_clerk_lends_two_copies_and_a_return_elsewhere_prints_a_transit_slip(live_server, page):
    # given the network, a circulation clerk of the city, a reader and two copies of the county
    net = make_network()
    accounts.create_staff(username="desk", password="pw-123456", library=net.city, roles=[Role.CIRCULATION])
    CirculationRule.objects.create(loan_days=30, max_loans=5, renewals=1, fine_per_day=Decimal("0.10"))
    reader = make_patron(library=net.county, name="赵小红")
    first = make_item(make_record("辽宁通史", control_number="desk-1"), library=net.county)
    second = make_item(make_record("沈阳故宫", control_number="desk-2"), library=net.county)

    # when the clerk logs in and opens the desk from the navigation, working at the county
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "desk")
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")
    page.click("nav >> text=流通")
    page.select_option("#id_library", "LN-SY-KP")
    page.click("text=在此工作")
    page.wait_for_url(f"{live_server.url}/staff/circulation/checkout/")

    # and scans the reader's card
    page.fill("#id_card", reader.card_number)
    page.press("#id_card", "Enter")
    page.wait_for_url(f"{live_server.url}/staff/circulation/readers/{reader.pk}/")
    assert page.locator("#reader-panel .reader-name").inner_text().startswith("赵小红")

    # and scans one barcode and the other copy's QR label, one after the other
    page.fill("#id_scan", first.barcode)
    page.press("#id_scan", "Enter")
    page.locator("#scan-results li.ok").first.wait_for()
    assert page.locator("#id_scan").input_value() == ""  # ready for the next scan
    page.fill("#id_scan", qr.payload(second))
    page.press("#id_scan", "Enter")
    page.locator("#scan-results li.ok").nth(1).wait_for()

    # then both rows show due dates, newest first, and the reader panel lists two loans
    loans = {loan.item_id: loan for loan in Loan.objects.all()}
    rows = page.locator("#scan-results li.ok")
    assert "沈阳故宫" in rows.nth(0).inner_text() and "辽宁通史" in rows.nth(1).inner_text()
    assert rows.nth(0).locator(".due").inner_text() == loans[second.pk].due_on.isoformat()
    page.locator('#reader-panel[data-loans="2"]').wait_for()
    page.screenshot(path=str(SCREENSHOT_DIR / "shelfmark-desk-checkout.png"), full_page=True)

    # when the clerk moves to the other county's desk and checks one copy in there
    page.click(".desk-nav >> text=更换")
    page.select_option("#id_library", "LN-SY-FK")
    page.click("text=在此工作")
    page.click(".desk-nav >> text=还书")
    page.fill("#id_scan", first.barcode)
    page.press("#id_scan", "Enter")
    row = page.locator('#return-results li[data-alert="transit"]')
    row.wait_for()

    # then the row says to send it home to the county, and the slip link opens the printable transit slip
    assert "送往 康平县图书馆" in row.locator(".slip-alert").inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "shelfmark-desk-checkin.png"), full_page=True)
    transit = Transit.objects.get()
    href = row.locator("text=打印在途单").get_attribute("href")
    assert href == f"/staff/circulation/slips/transit/{transit.pk}/"
    page.goto(f"{live_server.url}{href}")
    assert page.locator(".slip .to").inner_text().startswith("康平县图书馆")
    assert first.barcode in page.locator(".slip .barcode").inner_text()
    page.emulate_media(media="print")
    assert not page.locator("header.shell").is_visible()
    page.screenshot(path=str(SCREENSHOT_DIR / "shelfmark-transit-slip.png"), full_page=True)
