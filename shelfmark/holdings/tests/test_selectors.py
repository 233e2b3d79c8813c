"""Finding items by what was scanned, locking one, and where a record's copies are."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from shelfmark.holdings import qr, selectors, services
from shelfmark.holdings.errors import ItemNotFound
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.holdings.tests.factories import make_item, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(net):
    make_item(library=net.county)  # a neighbour that must not be found instead
    return make_item(library=net.county, barcode="LN-000777")


@pytest.mark.parametrize(
    "scanned",
    [
        "{barcode}",
        "  {barcode}\r\n",
        "{qr}",
        "{qr_lower}",
        "{payload}",
        "{payload}/",
        " {payload}\n",
        "https://opac.lnlib.example/i/{qr}",
        "https://opac.lnlib.example/m/i/{qr_lower}?from=label",
    ],
)
def test_a_scan_finds_the_item(item, scanned):
    text = scanned.format(
        barcode=item.barcode, qr=item.qr_code, qr_lower=item.qr_code.lower(), payload=qr.payload(item)
    )
    found = selectors.find_item_by_scan(text)
    assert found.pk == item.pk
    # and what the desk shows comes with it, in that one query
    with CaptureQueriesContext(connection) as queries:
        assert (found.record.title, found.home_library.code, found.current_library.code) == (
            "辽宁地方志研究",
            "LN-SY-KP",
            "LN-SY-KP",
        )
    assert len(queries) == 0


def test_a_scan_costs_two_queries_the_item_and_its_record(item, policy_cache):
    selectors.find_item_by_scan(item.barcode)  # the network tree is remembered from the first scan on
    with CaptureQueriesContext(connection) as queries:
        by_qr = selectors.find_item_by_scan(qr.payload(item))
        by_barcode = selectors.find_item_by_scan(item.barcode)
        seen = [
            (found.record.title, found.home_library.code, found.current_library.code) for found in (by_qr, by_barcode)
        ]
    assert len(queries) == 4
    assert seen == [(item.record.title, item.home_library.code, item.current_library.code)] * 2


@pytest.mark.parametrize(
    "scanned",
    [
        "2099999999999",
        "{barcode_lower}",  # barcodes are exact: only QR codes ignore case
        "https://opac.lnlib.example/i/ZZZZZZZZZZ",
        "https://opac.lnlib.example/record/{qr}",  # a URL that is not a QR payload is never read as a code
        "   ",
    ],
)
def test_an_unknown_scan_is_refused_naming_what_was_scanned(item, scanned):
    text = scanned.format(barcode_lower=item.barcode.lower(), qr=item.qr_code)
    with pytest.raises(ItemNotFound) as refused:
        selectors.find_item_by_scan(text)
    assert refused.value.code == "item_not_found" and refused.value.field == "code" and refused.value.status == 404
    assert repr(text.strip()) in refused.value.message


def test_a_barcode_wins_over_a_qr_code_that_reads_the_same(net):
    # given a legacy barcode equal to another item's QR code (services refuse this; an old import did not)
    first = make_item(library=net.county)
    second = make_item(library=net.county, barcode="ABCDEFGHJK")
    Item.objects.filter(pk=first.pk).update(qr_code="ABCDEFGHJK")
    # then the exact barcode finds its item, and the QR code typed in lower case finds the other
    assert selectors.find_item_by_scan("ABCDEFGHJK").pk == second.pk
    assert selectors.find_item_by_scan("abcdefghjk").pk == first.pk


def test_payload_uses_the_configured_base_url(item):
    with override_settings(SHELFMARK_BASE_URL="https://lib.example.cn"):
        assert qr.payload(item) == f"https://lib.example.cn/i/{item.qr_code}"


def test_lock_item_returns_the_row_inside_a_transaction(item):
    with transaction.atomic():
        locked = selectors.lock_item(item.pk)
        assert locked.pk == item.pk and locked.barcode == "LN-000777"
    with pytest.raises(ItemNotFound) as refused:
        selectors.lock_item(999_999)
    assert refused.value.field == "id" and "999999" in refused.value.message


def test_items_for_record_and_availability_by_library(net):
    # given a record with copies at the township, the county and the other county, one on loan, one withdrawn
    record = make_record()
    county_shelf = make_item(record, library=net.county)
    county_loan = make_item(record, library=net.county)
    township = make_item(record, library=net.township)
    gone = make_item(record, library=net.other_county)
    make_item(library=net.county)  # another record's copy
    services.change_status(item=county_loan, status=ItemStatus.ON_LOAN, actor=None)
    services.withdraw(item=gone, actor=None, reason="旧版")
    # then the record lists its four copies in tree order
    assert [i.pk for i in selectors.items_for_record(record)] == [county_shelf.pk, county_loan.pk, township.pk, gone.pk]
    # and availability counts what is at each library now, withdrawn copies left out
    places = [(p.library.code, p.total, p.available, p.statuses) for p in selectors.availability(record)]
    assert places == [
        ("LN-SY-KP", 2, 1, {"available": 1, "on_loan": 1}),
        ("LN-SY-KP-01", 1, 1, {"available": 1}),
    ]


def test_availability_follows_the_item_to_where_it_is(net):
    record = make_record()
    item = make_item(record, library=net.county)
    services.change_status(item=item, status=ItemStatus.AVAILABLE, actor=None, library=net.other_county)
    assert [(p.library.code, p.available) for p in selectors.availability(record)] == [("LN-SY-FK", 1)]
    assert selectors.availability(make_record("无馆藏")) == []
