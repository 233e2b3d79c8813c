"""Check-out screen: a card opens the reader panel, scans lend copies, refusals show and may be overridden."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shelfmark.circulation import services
from shelfmark.circulation.models import Loan
from shelfmark.core.models import AuditEvent
from shelfmark.holdings import qr
from shelfmark.holdings.models import ItemStatus, ItemType
from shelfmark.patrons import services as patron_services

pytestmark = pytest.mark.django_db


def _at_desk(user, library) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/staff/circulation/", {"library": library.code}).status_code == 302
    return client


def _alert(html: str) -> str:
    found = re.search(r'role="alert"[^>]*>([^<]*)<', html)
    return found.group(1).strip() if found else ""


def test_a_scanned_card_opens_the_reader_panel_with_standing_blocks_and_loans(desk):
    # given a reader with one loan that is overdue
    reader = desk.reader(name="李明")
    item = desk.item(desk.record("东北抗联史"))
    services.check_out(
        item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=timezone.now() - timedelta(days=40)
    )
    client = _at_desk(desk.clerk, desk.net.county)

    # when the clerk scans the card
    found = client.get("/staff/circulation/checkout/", {"card": f"  {reader.card_number} "})
    page = client.get(found["Location"])

    # then the reader page shows who they are, their standing, the overdue block, and the overdue loan
    assert (found.status_code, found["Location"]) == (302, f"/staff/circulation/readers/{reader.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "李明" in html and reader.card_number in html
    assert reader.expires_on.isoformat() in html
    assert re.search(r'class="standing" data-tier="(excellent|good|fair|poor)"', html)
    assert '<li data-kind="overdue">' in html
    assert 'data-barcode="' + item.barcode + '"' in html and "东北抗联史" in html
    assert "逾期 10 天" in html
    assert AuditEvent.objects.filter(kind="patron.viewed", object_id=str(reader.pk)).exists()


def test_an_unknown_card_is_named_beside_the_card_field(desk):
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.get("/staff/circulation/checkout/", {"card": "NOBODY-1"})

    assert response.status_code == 404
    assert 'id="card-errors"' in response.content.decode()
    assert "NOBODY-1" in _alert(response.content.decode())


def test_scanning_a_barcode_then_a_qr_payload_lends_both_with_due_dates(desk):
    # given a reader and two copies on the county's shelf
    reader, first, second = desk.reader(), desk.item(), desk.item()
    client = _at_desk(desk.clerk, desk.net.county)
    url = f"/staff/circulation/readers/{reader.pk}/checkout/"

    # when the clerk scans one barcode and the other copy's QR label (as htmx posts them)
    one = client.post(url, {"scan": first.barcode}, HTTP_HX_REQUEST="true")
    two = client.post(url, {"scan": qr.payload(second)}, HTTP_HX_REQUEST="true")

    # then both are lent at the county, each row gives the due date, and the reader panel is refreshed out of band
    loans = {loan.item_id: loan for loan in Loan.objects.all()}
    assert set(loans) == {first.pk, second.pk}
    assert {loan.library_id for loan in loans.values()} == {desk.net.county.pk}
    for response, item in ((one, first), (two, second)):
        html = response.content.decode()
        assert response.status_code == 200
        assert html.lstrip().startswith('<li class="ok" data-code="checked_out">')
        assert f'<strong class="due">{loans[item.pk].due_on.isoformat()}</strong>' in html
        assert 'id="reader-panel"' in html and 'hx-swap-oob="true"' in html
    assert 'data-loans="2"' in two.content.decode()


def test_a_refusal_is_shown_with_its_message_and_nothing_is_lent(desk):
    # given a reference copy, which the rules keep in the library
    reader = desk.reader()
    item = desk.item(item_type=ItemType.REFERENCE)
    desk.network_rule.__class__.objects.create(item_type=ItemType.REFERENCE, loanable=False)
    client = _at_desk(desk.clerk, desk.net.county)

    # when the clerk scans it
    response = client.post(f"/staff/circulation/readers/{reader.pk}/checkout/", {"scan": item.barcode})

    # then the typed refusal is shown, with an override form for a clerk who may override, and no loan exists
    html = response.content.decode()
    assert response.status_code == 409
    assert 'data-code="item_not_loanable"' in html
    assert item.barcode in _alert(html[html.index('data-code="item_not_loanable"') :])
    assert 'name="override_reason"' in html
    assert not Loan.objects.exists()
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_an_unknown_scan_is_refused_by_name(desk):
    reader = desk.reader()
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(f"/staff/circulation/readers/{reader.pk}/checkout/", {"scan": "NO-SUCH-ITEM"})

    assert response.status_code == 404
    assert 'data-code="item_not_found"' in response.content.decode()
    assert "NO-SUCH-ITEM" in response.content.decode()
    assert not Loan.objects.exists()


def test_a_blocked_reader_is_lent_to_only_with_an_override_reason_which_is_kept(desk):
    # given a reader blocked by hand
    reader, item = desk.reader(), desk.item()
    patron_services.add_block(patron=reader, reason="证件待核实", actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)
    url = f"/staff/circulation/readers/{reader.pk}/checkout/"

    # when the clerk scans a copy, then answers the override form with a reason
    refused = client.post(url, {"scan": item.barcode}, HTTP_HX_REQUEST="true")
    overridden = client.post(url, {"scan": item.barcode, "override_reason": "馆长批准"}, HTTP_HX_REQUEST="true")

    # then the first answer is the block with an override form, and the second lends, keeping the reason
    assert refused.status_code == 409
    assert 'data-code="patron_blocked"' in refused.content.decode()
    assert "证件待核实" in refused.content.decode()
    assert 'name="override_reason"' in refused.content.decode()
    assert overridden.status_code == 200
    loan = Loan.objects.get()
    assert (loan.item_id, loan.override_reason) == (item.pk, "馆长批准")
    assert "馆长批准" in overridden.content.decode()


def test_a_refusal_that_cannot_be_overridden_offers_no_override_and_a_forged_reason_changes_nothing(desk):
    # given a copy already on loan to another reader
    other, reader, item = desk.reader(), desk.reader(), desk.item()
    services.check_out(item=item, patron=other, library=desk.net.county, actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)
    url = f"/staff/circulation/readers/{reader.pk}/checkout/"

    # when the clerk scans it, and then posts a forged override reason
    refused = client.post(url, {"scan": item.barcode})
    forged = client.post(url, {"scan": item.barcode, "override_reason": "试试"})

    # then neither lends: no override form is offered, and the forged override is refused by code
    assert refused.status_code == 409
    assert 'data-code="item_already_on_loan"' in refused.content.decode()
    assert 'name="override_reason"' not in refused.content.decode()
    assert forged.status_code == 403
    assert 'data-code="override_not_allowed"' in forged.content.decode()
    assert list(Loan.objects.values_list("patron_id", flat=True)) == [other.pk]


def test_an_empty_scan_is_a_field_error(desk):
    reader = desk.reader()
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(f"/staff/circulation/readers/{reader.pk}/checkout/", {"scan": "   "})

    assert response.status_code == 400
    assert 'data-code="invalid_input"' in response.content.decode()
    assert not Loan.objects.exists()


def test_an_unknown_reader_id_is_a_not_found_page(desk):
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.get("/staff/circulation/readers/999999/")

    assert response.status_code == 404
    assert 'data-code="patron_not_found"' in response.content.decode()
