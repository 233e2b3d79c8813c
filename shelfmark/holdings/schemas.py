"""Request and response shapes of the holdings API (the OpenAPI schema is built from these)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from shelfmark.holdings import qr
from shelfmark.holdings.display import short_title
from shelfmark.holdings.models import Item, ItemStatus, ItemStatusChange, ItemType


class ItemOut(Schema):
    """An item with its identities, places and status; libraries are given by code."""

    id: int
    barcode: str
    qr_code: str
    qr_payload: str = Field(description="what the item's QR code encodes: <base URL>/i/<qr_code>")
    record_id: int
    title: str = Field(description="the record's title proper")
    call_number: str
    home_library: str
    current_library: str
    shelving_location: str
    item_type: str
    item_type_label: str
    price: Decimal | None
    status: str
    status_label: str
    status_changed_at: datetime
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_qr_payload(obj: Item) -> str:
        return qr.payload(obj)

    @staticmethod
    def resolve_title(obj: Item) -> str:
        return short_title(obj.record.title)

    @staticmethod
    def resolve_home_library(obj: Item) -> str:
        return obj.home_library.code

    @staticmethod
    def resolve_current_library(obj: Item) -> str:
        return obj.current_library.code

    @staticmethod
    def resolve_item_type_label(obj: Item) -> str:
        return str(ItemType(obj.item_type).label)

    @staticmethod
    def resolve_status_label(obj: Item) -> str:
        return str(ItemStatus(obj.status).label)


class ItemIn(Schema):
    """A new copy of a record; without a barcode the next generated one (13 digits, EAN-13 check digit) is used."""

    record_id: int
    home_library: str = Field(description="code of the library that holds the item")
    barcode: str | None = Field(None, max_length=32, description="a legacy barcode to keep; omit to generate one")
    item_type: ItemType = ItemType.BOOK
    call_number: str = Field("", max_length=100)
    shelving_location: str = Field("", max_length=100)
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    status: ItemStatus = Field(ItemStatus.AVAILABLE, description="available, or in_processing until it is shelved")


class ItemPatch(Schema):
    """Changes to an item; fields left out stay as they are. A status change needs the status to be one staff
    may set by hand (withdrawn needs a reason); loans, transits and holds are circulation's."""

    call_number: str | None = Field(None, max_length=100)
    shelving_location: str | None = Field(None, max_length=100)
    item_type: ItemType | None = None
    price: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    status: ItemStatus | None = None
    reason: str = Field("", max_length=200, description="why the status changes (required for withdrawn)")


class StatusChangeOut(Schema):
    """One entry of an item's status history."""

    from_status: str
    to_status: str
    library: str | None
    actor: str | None
    reason: str
    changed_at: datetime

    @staticmethod
    def resolve_library(obj: ItemStatusChange) -> str | None:
        return obj.library.code if obj.library else None

    @staticmethod
    def resolve_actor(obj: ItemStatusChange) -> str | None:
        return obj.actor.get_username() if obj.actor else None


class LibraryAvailabilityOut(Schema):
    """A record's copies at one library (where each is now): how many, and how many on the shelf."""

    library: str
    library_name: str
    total: int
    available: int
    statuses: dict[str, int]


class RecordItemsOut(Schema):
    """A record's copies and where they can be had."""

    record_id: int
    items: list[ItemOut]
    availability: list[LibraryAvailabilityOut]
