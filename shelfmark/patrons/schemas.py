"""Request and response shapes of the readers API (the OpenAPI schema is built from these)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from shelfmark.patrons.models import Category


class ErrorOut(Schema):
    """Every refusal: a stable code, a message naming what is at fault, and the field when there is one."""

    code: str
    message: str
    field: str | None = None


class BlockOut(Schema):
    """A reason the reader may not borrow now; `block_id` is set for stored blocks staff can lift."""

    kind: str = Field(
        ..., description="expired, fines_over_limit, lost_card or manual (overdue comes from circulation)"
    )
    reason: str
    block_id: int | None = None


class StoredBlockOut(Schema):
    id: int
    kind: str
    reason: str
    created_at: datetime
    lifted_at: datetime | None


class PatronOut(Schema):
    """A reader as the desk sees them: the ID-card number only masked, never the PIN."""

    id: int
    card_number: str
    name: str
    category: str
    category_label: str
    home_library: str = Field(..., description="code of the home library")
    email: str
    phone: str
    address: str
    responsible_person: str
    id_number_masked: str
    expires_on: date
    history_opt_in: bool
    home_delivery: bool
    on_time_returns: int
    late_returns: int
    lost_items: int
    fines_owed: Decimal
    pin_set: bool
    pin_locked_until: datetime | None
    created_at: datetime
    blocks: list[BlockOut]


class PatronIn(Schema):
    """A new reader; the ID-card number is checked, hashed and masked, and never stored as given."""

    card_number: str = Field(..., max_length=32)
    name: str = Field(..., max_length=100)
    category: Category = Category.ADULT
    home_library: str = Field(..., description="code of the home library (patrons.edit needed there)")
    pin: str | None = Field(None, description="4 to 8 digits")
    id_number: str | None = Field(None, description="18-character resident ID-card number")
    expires_on: date | None = Field(None, description="default: five years from today")
    email: str = ""
    phone: str = ""
    address: str = ""
    responsible_person: str = Field("", description="required for institutional (class) cards")
    history_opt_in: bool = False
    home_delivery: bool = False


class PatronPatchIn(Schema):
    """Details to change; fields left out stay as they are. An empty id_number removes it."""

    name: str | None = Field(None, max_length=100)
    category: Category | None = None
    home_library: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    responsible_person: str | None = None
    home_delivery: bool | None = None
    history_opt_in: bool | None = None
    id_number: str | None = None


class IdNumberIn(Schema):
    id_number: str = Field(..., max_length=32)


class BlockIn(Schema):
    reason: str = Field(..., max_length=300)


class PinIn(Schema):
    pin: str = Field(..., description="4 to 8 digits", max_length=16)


class RenewIn(Schema):
    expires_on: date | None = Field(None, description="default: five years from today")


class LostCardIn(Schema):
    reason: str = Field("", max_length=300)
    new_card_number: str | None = Field(None, description="issue the replacement card at once", max_length=32)


class ReasonOut(Schema):
    code: str
    points: int
    message: str


class StandingOut(Schema):
    """The reader's credit standing and what it allows; reasons list each term of the score."""

    score: int
    tier: str
    tier_label: str
    deposit_free: bool
    loan_limit_factor: Decimal
    reasons: list[ReasonOut]


class DepositIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)
    method: str = "cash"
    note: str = Field("", max_length=200)


class RefundIn(Schema):
    amount: Decimal | None = Field(None, gt=0, max_digits=10, decimal_places=2, description="default: all")
    method: str = "cash"
    note: str = Field("", max_length=200)


class DepositEntryOut(Schema):
    id: int
    kind: str
    amount: Decimal
    method: str
    note: str
    created_at: datetime


class DepositsOut(Schema):
    balance: Decimal
    entries: list[DepositEntryOut]
