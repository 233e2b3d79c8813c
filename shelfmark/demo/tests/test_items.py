"""The demo's copies: how many per record, where, with which call number, item type and price."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from shelfmark.catalog.models import Record
from shelfmark.core.models import AuditEvent
from shelfmark.demo.catalog import load_catalog
from shelfmark.demo.items import load_items
from shelfmark.demo.network import load_network
from shelfmark.holdings.models import Item, ItemStatus, ItemStatusChange, ItemType
from shelfmark.holdings.selectors import find_item_by_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(tmp_path: Path):
    libraries = load_network()
    load_catalog(library=libraries["LN"], records=120, samples=tmp_path / "none", note=lambda _text: None)
    return libraries


def test_every_record_gets_one_to_four_copies_shelved_by_class_and_sequence_number(catalogue):
    # given a generated catalogue of 120 records
    before = timezone.now() - timedelta(days=150)
    # when the demo adds its copies
    counts = load_items(catalogue, before=before)
    # then each record has 1 to 4 copies, each at a different library, all on the shelf since before the history
    items = list(Item.objects.select_related("record", "home_library"))
    by_record = defaultdict(list)
    for item in items:
        by_record[item.record_id].append(item)
    assert counts["items_created"] == len(items) == counts["items"]
    assert set(by_record) == set(Record.objects.values_list("id", flat=True))
    assert all(1 <= len(copies) <= 4 for copies in by_record.values())
    assert all(len({c.home_library_id for c in copies}) == len(copies) for copies in by_record.values())
    assert {c.home_library.code for c in items} >= {"LN", "LN-SY", "LN-DL", "LN-SY-KP", "LN-DL-ZH"}
    assert all(item.status == ItemStatus.AVAILABLE and item.created_at < before for item in items)
    # and the call number is the CLC class and a sequence number (种次号) counting the titles of that class
    numbers = defaultdict(set)
    for copies in by_record.values():
        record = copies[0].record
        assert {c.call_number for c in copies} == {copies[0].call_number}
        klass, number = copies[0].call_number.rsplit("/", 1)
        assert klass == record.clc_class
        numbers[klass].add(int(number))
    assert all(found == set(range(1, len(found) + 1)) for found in numbers.values())
    assert all(item.price is not None and item.price > 0 for item in items)


def test_item_types_follow_the_record(catalogue):
    load_items(catalogue, before=timezone.now())

    items = list(Item.objects.select_related("record"))
    for item in items:
        record = item.record
        if record.is_local_document:
            assert item.item_type == ItemType.LOCAL
        elif record.clc_class.startswith("Z3"):
            assert item.item_type == ItemType.REFERENCE
        elif record.clc_class.startswith("I287"):
            assert item.item_type == ItemType.CHILDREN
        else:
            assert item.item_type in (ItemType.BOOK, ItemType.CHILDREN)
    assert {item.item_type for item in items} >= {ItemType.BOOK, ItemType.LOCAL}


def test_bulk_copies_scan_and_carry_their_history_and_audit_like_service_made_ones(catalogue):
    load_items(catalogue, before=timezone.now())

    items = list(Item.objects.select_related("home_library"))
    # each scans by its legacy barcode (its city's series) and by its QR code
    for item in items[:: max(1, len(items) // 25)]:
        assert find_item_by_scan(item.barcode) == item == find_item_by_scan(f"https://x.example/i/{item.qr_code}")
        city = item.home_library.code.split("-")[1] if "-" in item.home_library.code else "LN"
        assert item.barcode[:2] == (city if city in ("SY", "DL") else "LN")
    assert len({item.barcode for item in items}) == len(items) == len({item.qr_code for item in items})
    # and each has its first status row and an audit event
    assert ItemStatusChange.objects.filter(from_status="", to_status=ItemStatus.AVAILABLE).count() == len(items)
    assert AuditEvent.objects.filter(kind="holdings.item_created").count() == len(items)


def test_loading_the_copies_again_adds_only_those_of_new_records(catalogue, tmp_path: Path):
    # given the copies loaded once
    load_items(catalogue, before=timezone.now())
    first = dict(Item.objects.values_list("barcode", "record_id"))
    # when the catalogue grows and the copies load again
    load_catalog(library=catalogue["LN"], records=140, samples=tmp_path / "none", note=lambda _text: None)
    counts = load_items(catalogue, before=timezone.now())
    # then the old copies are untouched and only the 20 new records got copies, numbered after the old ones
    now = dict(Item.objects.values_list("barcode", "record_id"))
    assert {barcode: now[barcode] for barcode in first} == first
    new_records = set(now.values()) - set(first.values())
    assert len(new_records) == 20
    old_numbers: dict[str, int] = defaultdict(int)
    for call_number in Item.objects.exclude(record_id__in=new_records).values_list("call_number", flat=True):
        klass, number = call_number.rsplit("/", 1)
        old_numbers[klass] = max(old_numbers[klass], int(number))
    for call_number in Item.objects.filter(record_id__in=new_records).values_list("call_number", flat=True):
        klass, number = call_number.rsplit("/", 1)
        assert int(number) > old_numbers[klass]
    assert counts["items_created"] == len(now) - len(first) > 0
    assert load_items(catalogue, before=timezone.now())["items_created"] == 0
