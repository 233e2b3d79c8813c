"""Request and response shapes of the fines API (amounts are exact decimals, sent as strings)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from shelfmark.fines.models import ChargeKind, PaymentMethod


class ErrorOut(Schema):
    """Every refusal: a stable code, a message naming what is at fault, and the field when there is one."""

    code: str
    message: str
    field: str | None = None


class ChargeOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: Decimal
    paid: Decimal
    waived: Decimal
    outstanding: Decimal
    source: str
    note: str
    created_at: datetime


class ChargesOut(Schema):
    """The reader's charges and what they owe in all (Patron.fines_owed)."""

    owed: Decimal
    charges: list[ChargeOut]


class ChargeIn(Schema):
    """A charge added by hand at the desk, such as a damaged book."""

    kind: ChargeKind = ChargeKind.DAMAGE
    amount: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)
    note: str = Field("", max_length=200)


class PaymentIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=10, decimal_places=2)
    method: PaymentMethod = PaymentMethod.CASH
    note: str = Field("", max_length=200)


class AllocationOut(Schema):
    charge: int
    amount: Decimal


class PaymentOut(Schema):
    """A payment and how it was spread over the charges, oldest first; `owed` is what remains."""

    id: int
    amount: Decimal
    method: str
    created_at: datetime
    allocations: list[AllocationOut]
    owed: Decimal


class WaiverIn(Schema):
    reason: str = Field(..., max_length=300)
    amount: Decimal | None = Field(None, gt=0, max_digits=10, decimal_places=2, description="default: all outstanding")


class WaiverOut(Schema):
    id: int
    charge: int
    amount: Decimal
    reason: str
    created_at: datetime
    outstanding: Decimal = Field(..., description="what remains of the charge")
