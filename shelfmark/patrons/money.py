"""Amounts of money in yuan: exact Decimals with two places, checked once at the edge of every service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from shelfmark.patrons.errors import InvalidAmount

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")  # what a DecimalField(max_digits=10, decimal_places=2) holds


def to_amount(value: Any, *, field: str = "amount", allow_zero: bool = False) -> Decimal:
    """Return `value` as a Decimal of whole cents, or raise InvalidAmount naming the field."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidAmount(field=field, name=field, value=repr(value)) from None
    if not amount.is_finite():
        raise InvalidAmount(field=field, name=field, value=str(value))
    low_ok = amount >= 0 if allow_zero else amount > 0
    if not low_ok or amount > MAX_AMOUNT or amount != amount.quantize(CENT):
        raise InvalidAmount(field=field, name=field, value=str(value))
    return amount.quantize(CENT)
