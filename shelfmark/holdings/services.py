"""Writes to items: create (with generated barcode and QR code), change status with history, update, withdraw."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.catalog.models import Record
from shelfmark.core import events, rows
from shelfmark.core.errors import InvalidInput
from shelfmark.core.transactions import joins_transaction
from shelfmark.holdings import identity, rules
from shelfmark.holdings.errors import BarcodeTaken, InvalidBarcode, ItemWithdrawn, StatusChangeNotAllowed
from shelfmark.holdings.models import BarcodeCounter, Item, ItemStatus, ItemStatusChange, ItemType
from shelfmark.libraries.models import Library

__all__ = ["change_status", "create_item", "mark_status", "update_item", "withdraw"]

_UNCHANGED: Any = object()
_QR_ATTEMPTS = 8
_COUNTER = "item"


@transaction.atomic
def create_item(
    *,
    record: Record,
    home_library: Library,
    actor: Any,
    barcode: str | None = None,
    item_type: str = ItemType.BOOK,
    call_number: str = "",
    price: Decimal | None = None,
    shelving_location: str = "",
    status: str = ItemStatus.AVAILABLE,
    now: datetime | None = None,
) -> Item:
    """Add a copy of `record` to `home_library`; without a barcode, the next generated one is used."""
    now = now or timezone.now()
    _check_choice(item_type, ItemType, "item_type")
    _check_choice(status, ItemStatus, "status")
    _check_price(price)
    if barcode is None:
        barcode = _next_barcode()
    else:
        barcode = barcode.strip()
        if not identity.is_valid_barcode(barcode):
            raise InvalidBarcode(field="barcode", barcode=repr(barcode))
        if Item.objects.filter(Q(barcode=barcode) | Q(qr_code=barcode)).exists():
            raise BarcodeTaken(field="barcode", barcode=barcode)
    fields = {
        "record": record,
        "barcode": barcode,
        "call_number": call_number.strip(),
        "home_library": home_library,
        "current_library": home_library,
        "shelving_location": shelving_location.strip(),
        "item_type": item_type,
        "price": price,
        "status": status,
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    item = _insert_with_fresh_qr_code(fields)
    ItemStatusChange.objects.create(
        item=item,
        from_status="",
        to_status=status,
        library=home_library,
        actor=events.staff_user(actor),
        changed_at=now,
    )
    events.record(
        "holdings.item_created",
        actor=actor,
        target=item,
        data={"barcode": item.barcode, "record": record.pk, "library": home_library.code},
        now=now,
    )
    return item


@joins_transaction
def change_status(
    *,
    item: Item,
    status: str,
    actor: Any,
    library: Library | None = None,
    reason: str = "",
    audit: bool = True,
    now: datetime | None = None,
) -> Item:
    """Move an item to `status` (and to `library` when given), appending history and an audit event.

    The caller holds the item's row lock (`selectors.lock_item`) when others may change it at the same
    time; nothing is written when neither status nor place changes. A caller whose own audit event names
    the item and the library (a loan made or returned) passes `audit=False`: the history row keeps the rest.
    """
    _check_choice(status, ItemStatus, "status")
    if item.status == ItemStatus.WITHDRAWN and status != ItemStatus.WITHDRAWN:
        raise ItemWithdrawn(field="status", barcode=item.barcode)
    moves = library is not None and library.pk != item.current_library_id
    if status == item.status and not moves:
        return item
    now = now or timezone.now()
    previous = item.status
    item.status = status
    item.status_changed_at = now
    item.updated_at = now
    changed = ["status", "status_changed_at", "updated_at"]
    if library is not None and moves:
        item.current_library = library
        changed.append("current_library")
    rows.update(item, changed)
    rows.insert(
        ItemStatusChange(
            item=item,
            from_status=previous,
            to_status=status,
            library=library,
            actor=events.staff_user(actor),
            reason=reason[:200],
            changed_at=now,
        )
    )
    data: dict[str, Any] = {"barcode": item.barcode, "from": previous, "to": status}
    if library is not None:
        data["library"] = library.code
    if reason:
        data["reason"] = reason
    if audit:
        events.record("holdings.item_status_changed", actor=actor, target=item, data=data, now=now)
    return item


@transaction.atomic
def mark_status(*, item: Item, status: str, actor: Any, reason: str = "", now: datetime | None = None) -> Item:
    """Set a status by hand (missing, damaged, in restoration, ...), refusing what only circulation may do."""
    return update_item(item=item, actor=actor, status=status, reason=reason, now=now)


@transaction.atomic
def withdraw(*, item: Item, actor: Any, reason: str, now: datetime | None = None) -> Item:
    """Take an item out of the collection for good (剔除); the reason is kept in its history."""
    return update_item(item=item, actor=actor, status=ItemStatus.WITHDRAWN, reason=reason, now=now)


@transaction.atomic
def update_item(
    *,
    item: Item,
    actor: Any,
    call_number: str = _UNCHANGED,
    shelving_location: str = _UNCHANGED,
    item_type: str = _UNCHANGED,
    price: Decimal | None = _UNCHANGED,
    status: str = _UNCHANGED,
    reason: str = "",
    now: datetime | None = None,
) -> Item:
    """Change an item's call number, shelving location, type, price or (by hand) status; only what is given
    changes, and everything is checked before anything is written. Returns the updated, locked item."""
    locked = _lock(item)
    if locked.status == ItemStatus.WITHDRAWN:
        raise ItemWithdrawn(barcode=locked.barcode)
    wanted: dict[str, Any] = {}
    if call_number is not _UNCHANGED:
        wanted["call_number"] = call_number.strip()
    if shelving_location is not _UNCHANGED:
        wanted["shelving_location"] = shelving_location.strip()
    if item_type is not _UNCHANGED:
        _check_choice(item_type, ItemType, "item_type")
        wanted["item_type"] = item_type
    if price is not _UNCHANGED:
        _check_price(price)
        wanted["price"] = price
    moves_status = status is not _UNCHANGED and status != locked.status
    if moves_status:
        _check_staff_status_change(locked, status, reason)
    now = now or timezone.now()
    changed = sorted(name for name, value in wanted.items() if getattr(locked, name) != value)
    if changed:
        for name in changed:
            setattr(locked, name, wanted[name])
        locked.updated_at = now
        locked.save(update_fields=[*changed, "updated_at"])
        events.record(
            "holdings.item_updated",
            actor=actor,
            target=locked,
            data={"barcode": locked.barcode, "changed": changed},
            now=now,
        )
    if moves_status:
        change_status(item=locked, status=status, actor=actor, reason=reason.strip(), now=now)
    return locked


def _check_staff_status_change(item: Item, status: str, reason: str) -> None:
    """Refuse a status staff may not set by hand, and a withdrawal without a reason."""
    _check_choice(status, ItemStatus, "status")
    if status == ItemStatus.WITHDRAWN:
        refusal = rules.withdraw_refusal(item.status)
        if refusal is None and not reason.strip():
            raise InvalidInput(_("剔除单册须说明原因。"), field="reason")
    else:
        refusal = rules.staff_change_refusal(item.status, status)
    if refusal is not None:
        raise StatusChangeNotAllowed(
            field="status",
            barcode=item.barcode,
            current=ItemStatus(item.status).label,
            target=ItemStatus(status).label,
            why=refusal,
        )


def _insert_with_fresh_qr_code(fields: dict[str, Any]) -> Item:
    """Insert the item with a new QR code, drawing again in the (astronomically rare) case of a collision."""
    for _attempt in range(_QR_ATTEMPTS):
        code = identity.new_qr_code()
        if Item.objects.filter(Q(qr_code=code) | Q(barcode=code)).exists():
            continue
        try:
            with transaction.atomic():
                return Item.objects.create(qr_code=code, **fields)
        except IntegrityError:
            if Item.objects.filter(barcode=fields["barcode"]).exists():
                raise BarcodeTaken(field="barcode", barcode=fields["barcode"]) from None
    raise RuntimeError("Could not draw a free QR code; is the random source broken?")


def _next_barcode() -> str:
    """Return the next generated barcode not already held by an item (legacy barcodes may use the range)."""
    while True:
        barcode = identity.barcode_for(_advance_counter())
        if not Item.objects.filter(Q(barcode=barcode) | Q(qr_code=barcode)).exists():
            return barcode


def _advance_counter() -> int:
    """Add one to the counter; the UPDATE holds its row lock until commit, so two creators never share a number."""
    counters = BarcodeCounter.objects.filter(name=_COUNTER)
    if not counters.update(value=F("value") + 1):
        BarcodeCounter.objects.get_or_create(name=_COUNTER)
        counters.update(value=F("value") + 1)
    return counters.values_list("value", flat=True).get()


def _lock(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


def _check_choice(value: str, choices: Any, field: str) -> None:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise InvalidInput(
            _("{name} 须为 {allowed} 之一，而不是 {value}。"),
            field=field,
            name=field,
            allowed=allowed,
            value=repr(value),
        )


def _check_price(price: Decimal | None) -> None:
    if price is not None and (price < 0 or price >= Decimal("100000000")):
        raise InvalidInput(_("价格须在 0 到 99999999.99 之间，而不是 {price}。"), field="price", price=price)
