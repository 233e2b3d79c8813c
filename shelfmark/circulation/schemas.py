"""Request and response shapes of the circulation API (money as exact decimals, dates as ISO strings)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, model_validator

from shelfmark.catalog.schemas import ErrorOut

__all__ = [
    "CancelIn",
    "CheckInIn",
    "CheckInOut",
    "CheckOutIn",
    "ErrorOut",
    "ExplainIn",
    "ExplainOut",
    "HoldIn",
    "HoldOut",
    "ItemBriefOut",
    "LoanActIn",
    "LoanOut",
    "PullEntryOut",
    "RenewIn",
    "RuleOut",
    "TransitOut",
]

SCAN = Field(..., min_length=1, max_length=500, description="what the scanner read: barcode, QR code or QR URL")
LIBRARY = Field(..., min_length=1, max_length=64, description="code of the library where the desk is")


class _Reader(Schema):
    card: str | None = Field(None, min_length=1, max_length=32, description="the reader's card number")
    patron_id: int | None = Field(None, ge=1, description="the reader's id, instead of the card")

    @model_validator(mode="after")
    def _one_reader(self) -> _Reader:
        if (self.card is None) == (self.patron_id is None):
            raise ValueError("give exactly one of card and patron_id")
        return self


class CheckOutIn(_Reader):
    """Lend the scanned item to the reader at the desk's library; override_reason lets staff pass a refusal."""

    item: str = SCAN
    library: str = LIBRARY
    override_reason: str = Field("", max_length=200)


class CheckInIn(Schema):
    """Take the scanned item back at the desk's library (any library of the network)."""

    item: str = SCAN
    library: str = LIBRARY


class RenewIn(Schema):
    """Renew at a desk (default: the lending library); override_reason lets staff pass a refusal."""

    library: str | None = Field(None, min_length=1, max_length=64)
    override_reason: str = Field("", max_length=200)


class LoanActIn(Schema):
    """Declare a loan lost or claimed returned, at a desk (default: the lending library)."""

    library: str | None = Field(None, min_length=1, max_length=64)


class HoldIn(_Reader):
    """Book a title (record_id) or one copy (item scan) for pickup at a library or for home delivery."""

    record_id: int | None = Field(None, ge=1)
    item: str | None = Field(None, min_length=1, max_length=500, description="book this copy (scan text)")
    pickup_library: str | None = Field(None, min_length=1, max_length=64)
    home_delivery: bool = False
    library: str | None = Field(
        None, min_length=1, max_length=64, description="the desk placing the booking (default: the pickup library)"
    )

    @model_validator(mode="after")
    def _what_and_where(self) -> HoldIn:
        if self.record_id is None and self.item is None:
            raise ValueError("give record_id or item")
        if self.pickup_library is None and not self.home_delivery:
            raise ValueError("give pickup_library or home_delivery")
        return self


class CancelIn(Schema):
    """Cancel a booking at a desk (default: the pickup library), with the reason kept on it."""

    library: str | None = Field(None, min_length=1, max_length=64)
    reason: str = Field("", max_length=200)


class ExplainIn(Schema):
    """Ask which rule applies to a reader category and item type at a library."""

    library: str = Field(..., min_length=1, max_length=64)
    category: str = Field(..., min_length=1, max_length=20, description="reader category code, e.g. adult")
    item_type: str = Field(..., min_length=1, max_length=20, description="item type code, e.g. book")


class ItemBriefOut(Schema):
    id: int
    barcode: str
    qr_code: str
    title: str
    call_number: str
    status: str
    home_library: str
    current_library: str


class LoanOut(Schema):
    id: int
    item: ItemBriefOut
    patron_id: int | None
    library: str
    status: str
    checked_out_at: datetime
    due_on: date
    renewals: int
    max_renewals: int
    returned_at: datetime | None
    override_reason: str


class HoldOut(Schema):
    id: int
    patron_id: int
    record_id: int
    title: str
    item: str | None = Field(description="barcode of the booked copy, for an item-level booking")
    pickup_library: str
    pickup_library_name: str
    home_delivery: bool
    status: str
    placed_at: datetime
    trapped_item: str | None = Field(description="barcode of the copy set aside for the reader")
    ready_at: datetime | None
    expires_on: date | None
    queue_position: int | None = Field(description="1-based place among those waiting, while waiting")


class TransitOut(Schema):
    """A transit slip: where the copy goes, why, and for whose booking."""

    id: int
    item: str
    title: str
    from_library: str
    to_library: str
    to_library_name: str
    reason: str
    hold_id: int | None
    sent_at: datetime


class CheckInOut(Schema):
    """What the desk must do with the returned copy: shelve it, put it on the hold shelf, or send it on."""

    item: ItemBriefOut
    loan: LoanOut | None
    fine: Decimal
    alert: str = Field(description='"" (shelve), "hold", "transit" or "hold_transit"')
    destination: str | None = Field(description="code of the library the copy must travel to")
    destination_name: str | None
    hold_pickup: str | None = Field(description="pickup library of the booking the copy was trapped for")
    hold: HoldOut | None
    transit: TransitOut | None
    route_reason: str


class PullEntryOut(Schema):
    hold_id: int
    record_id: int
    title: str
    item: str
    call_number: str
    shelving_location: str
    pickup_library: str
    home_delivery: bool
    placed_at: datetime


class RuleOut(Schema):
    id: int
    name: str
    library: str | None
    patron_category: str
    item_type: str
    loanable: bool
    loan_days: int
    max_loans: int
    renewals: int
    holds_allowed: bool
    hold_shelf_days: int
    fine_per_day: Decimal
    fine_cap: Decimal | None
    grace_days: int
    return_policy: str


class ExplainOut(Schema):
    """The rule that applies to a loan at a library and why, with every other matching rule, best first."""

    rule: RuleOut
    reason: str
    candidates: list[RuleOut]
