"""Item services: identities on create, status changes with history and audit, updates and withdrawal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shelfmark.core.errors import InvalidInput
from shelfmark.core.models import AuditEvent
from shelfmark.holdings import identity, services
from shelfmark.holdings.errors import BarcodeTaken, InvalidBarcode, ItemWithdrawn, StatusChangeNotAllowed
from shelfmark.holdings.models import Item, ItemStatus, ItemStatusChange, ItemType
from shelfmark.holdings.tests.factories import make_item, make_record

pytestmark = pytest.mark.django_db
NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def _snapshot() -> tuple[list[dict[str, Any]], int, int]:
    """What a refusal must leave as it was: every item row, the history and the audit trail."""
    items = [dict(row) for row in Item.objects.order_by("id").values()]
    return items, ItemStatusChange.objects.count(), AuditEvent.objects.count()


def test_create_item_generates_a_barcode_and_a_qr_code(net, staff):
    # given a record
    record = make_record()
    # when two items are created without barcodes
    first = services.create_item(record=record, home_library=net.county, actor=staff.county, now=NOW)
    second = services.create_item(record=record, home_library=net.county, actor=staff.county, now=NOW)
    # then each gets the next 13-digit barcode with its check digit, and its own QR code
    assert [first.barcode, second.barcode] == [identity.barcode_for(1), identity.barcode_for(2)]
    assert first.qr_code != second.qr_code
    assert len(first.qr_code) == 10 and set(first.qr_code) <= set(identity.QR_ALPHABET)
    # and it starts available at its home library, with one history row and one audit event
    assert (first.status, first.current_library, first.home_library) == ("available", net.county, net.county)
    assert (first.created_at, first.status_changed_at) == (NOW, NOW)
    assert list(first.status_changes.values_list("from_status", "to_status", "actor")) == [
        ("", "available", staff.county.pk)
    ]
    event = AuditEvent.objects.get(kind="holdings.item_created", object_id=str(first.pk))
    assert event.data == {"barcode": first.barcode, "record": record.pk, "library": "LN-SY-KP"}
    assert event.actor == staff.county


def test_generated_barcodes_skip_numbers_a_legacy_barcode_took(net):
    # given a legacy item that already carries the barcode the counter would give next
    make_item(library=net.county, barcode=identity.barcode_for(1))
    # when an item is created without a barcode
    item = make_item(library=net.county)
    # then the taken number is skipped
    assert item.barcode == identity.barcode_for(2)


def test_given_barcode_is_kept_and_trimmed(net):
    item = make_item(
        library=net.township,
        barcode=" LN-000123 ",
        item_type=ItemType.LOCAL,
        call_number="K293.1/12",
        price=Decimal("48.00"),
        shelving_location="地方文献室",
        status=ItemStatus.IN_PROCESSING,
    )
    item.refresh_from_db()
    assert (item.barcode, item.item_type, item.call_number, item.price, item.shelving_location, item.status) == (
        "LN-000123",
        "local",
        "K293.1/12",
        Decimal("48.00"),
        "地方文献室",
        "in_processing",
    )


def test_a_taken_barcode_is_refused_and_nothing_is_written(net):
    # given an item with a barcode
    existing = make_item(library=net.county, barcode="30001")
    before = _snapshot()
    # when another item is created with the same barcode, or with a barcode equal to an existing QR code
    for barcode in ("30001", existing.qr_code):
        with pytest.raises(BarcodeTaken) as refused:
            make_item(existing.record, library=net.county, barcode=barcode)
        # then the refusal names the barcode and field, and nothing changed
        assert refused.value.code == "barcode_taken" and refused.value.field == "barcode"
        assert barcode in refused.value.message
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"barcode": "12 34"}, "invalid_barcode", "barcode"),
        ({"barcode": "x" * 33}, "invalid_barcode", "barcode"),
        ({"item_type": "comic"}, "invalid_input", "item_type"),
        ({"status": "borrowed"}, "invalid_input", "status"),
        ({"price": Decimal("-1")}, "invalid_input", "price"),
    ],
)
def test_bad_values_are_refused_naming_the_field(net, fields, code, field):
    record = make_record()
    before = _snapshot()
    with pytest.raises((InvalidBarcode, InvalidInput)) as refused:
        services.create_item(record=record, home_library=net.county, actor=None, **fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert _snapshot() == before


def test_a_qr_code_collision_draws_again(net, monkeypatch):
    # given an item, and a random source that first repeats that item's QR code
    existing = make_item(library=net.county)
    drawn = iter([existing.qr_code, "ZZZZZZZZZZ"])
    monkeypatch.setattr(identity, "new_qr_code", lambda: next(drawn))
    # when another item is created
    item = make_item(library=net.county)
    # then it gets the second draw
    assert item.qr_code == "ZZZZZZZZZZ"


def test_change_status_appends_history_and_audit_and_moves_the_item(net, staff):
    # given an available item at the county
    item = make_item(library=net.county, now=NOW)
    later = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    # when circulation sends it in transit from the township
    services.change_status(
        item=item, status=ItemStatus.IN_TRANSIT, actor=staff.circulation, library=net.township, reason="还回", now=later
    )
    # then the row, the history and the audit trail say so
    item.refresh_from_db()
    assert (item.status, item.current_library, item.home_library) == ("in_transit", net.township, net.county)
    assert item.status_changed_at == later
    change = item.status_changes.order_by("id").last()
    assert change is not None
    assert (change.from_status, change.to_status, change.library, change.actor, change.reason, change.changed_at) == (
        "available",
        "in_transit",
        net.township,
        staff.circulation,
        "还回",
        later,
    )
    event = AuditEvent.objects.filter(kind="holdings.item_status_changed").get()
    assert event.data == {
        "barcode": item.barcode,
        "from": "available",
        "to": "in_transit",
        "library": "LN-SY-KP-01",
        "reason": "还回",
    }


def test_change_status_without_a_change_writes_nothing(net):
    item = make_item(library=net.county)
    before = _snapshot()
    services.change_status(item=item, status=ItemStatus.AVAILABLE, actor=None, library=net.county)
    assert _snapshot() == before


def test_change_status_may_only_move_the_item(net):
    # given an available item at the county
    item = make_item(library=net.county)
    # when it is checked in, still available, at the other county (floating collection)
    services.change_status(item=item, status=ItemStatus.AVAILABLE, actor=None, library=net.other_county)
    # then its place changes and the history records it
    item.refresh_from_db()
    assert item.current_library == net.other_county
    assert list(item.status_changes.values_list("from_status", "to_status", "library")) == [
        ("", "available", net.county.pk),
        ("available", "available", net.other_county.pk),
    ]


def test_status_history_follows_a_loan_round_trip(net):
    item = make_item(library=net.county)
    for status in (ItemStatus.ON_LOAN, ItemStatus.AVAILABLE, ItemStatus.DAMAGED, ItemStatus.IN_RESTORATION):
        services.change_status(item=item, status=status, actor=None)
    assert list(item.status_changes.values_list("from_status", "to_status")) == [
        ("", "available"),
        ("available", "on_loan"),
        ("on_loan", "available"),
        ("available", "damaged"),
        ("damaged", "in_restoration"),
    ]


def test_a_withdrawn_item_changes_no_more(net):
    item = make_item(library=net.county)
    services.withdraw(item=item, actor=None, reason="破损严重")
    item.refresh_from_db()
    before = _snapshot()
    with pytest.raises(ItemWithdrawn):
        services.change_status(item=item, status=ItemStatus.AVAILABLE, actor=None)
    with pytest.raises(ItemWithdrawn):
        services.update_item(item=item, actor=None, call_number="I247/1")
    assert _snapshot() == before


def test_withdraw_keeps_the_reason_and_needs_one(net, staff):
    item = make_item(library=net.county)
    before = _snapshot()
    with pytest.raises(InvalidInput) as refused:
        services.withdraw(item=item, actor=staff.county, reason="  ")
    assert refused.value.field == "reason"
    assert _snapshot() == before
    withdrawn = services.withdraw(item=item, actor=staff.county, reason="复本过多")
    assert withdrawn.status == "withdrawn"
    assert item.status_changes.order_by("id").values_list("to_status", "reason").last() == ("withdrawn", "复本过多")


@pytest.mark.parametrize("status", [ItemStatus.ON_LOAN, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF])
def test_staff_cannot_touch_an_item_circulation_holds(net, status):
    # given an item circulation has put on loan, in transit or on the hold shelf
    item = make_item(library=net.county)
    services.change_status(item=item, status=status, actor=None)
    before = _snapshot()
    # when staff mark it missing or withdraw it by hand
    for change in (
        lambda: services.mark_status(item=item, status=ItemStatus.MISSING, actor=None),
        lambda: services.withdraw(item=item, actor=None, reason="丢失"),
    ):
        with pytest.raises(StatusChangeNotAllowed) as refused:
            change()
        # then it is refused, naming the item, and nothing changed
        assert refused.value.code == "status_change_not_allowed" and refused.value.field == "status"
        assert item.barcode in refused.value.message
    assert _snapshot() == before


@pytest.mark.parametrize("status", [ItemStatus.ON_LOAN, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF])
def test_staff_cannot_set_a_circulation_status_by_hand(net, status):
    item = make_item(library=net.county)
    before = _snapshot()
    with pytest.raises(StatusChangeNotAllowed):
        services.mark_status(item=item, status=status, actor=None)
    assert _snapshot() == before


def test_mark_status_sets_a_shelf_status(net, staff):
    item = make_item(library=net.county)
    marked = services.mark_status(item=item, status=ItemStatus.MISSING, actor=staff.county, reason="盘点未见")
    assert marked.status == "missing"
    assert Item.objects.get(pk=item.pk).status == "missing"


def test_update_item_changes_only_what_is_given(net, staff):
    # given an item
    item = make_item(library=net.county, call_number="I247/1", shelving_location="二楼", price=Decimal("20.00"))
    # when its call number and type change (the location is given unchanged)
    updated = services.update_item(
        item=item, actor=staff.county, call_number=" I247.5/12 ", item_type=ItemType.CHILDREN, shelving_location="二楼"
    )
    # then exactly those change, and the audit event lists them
    row = Item.objects.get(pk=item.pk)
    assert (row.call_number, row.item_type, row.shelving_location, row.price) == (
        "I247.5/12",
        "children",
        "二楼",
        Decimal("20.00"),
    )
    assert updated.call_number == "I247.5/12"
    event = AuditEvent.objects.get(kind="holdings.item_updated")
    assert event.data == {"barcode": item.barcode, "changed": ["call_number", "item_type"]}


def test_update_item_refuses_a_bad_status_before_writing_anything(net):
    item = make_item(library=net.county, call_number="I247/1")
    before = _snapshot()
    with pytest.raises(StatusChangeNotAllowed):
        services.update_item(item=item, actor=None, call_number="I247/2", status=ItemStatus.ON_LOAN)
    assert _snapshot() == before
