"""Reads of fines: what a reader still owes, and the history of charges, payments and waivers."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Prefetch

from shelfmark.fines.errors import ChargeNotFound
from shelfmark.fines.models import ZERO, Charge, Payment, PaymentAllocation, Waiver, outstanding_q
from shelfmark.patrons.models import Patron


def outstanding(patron: Patron) -> list[Charge]:
    """Return the reader's charges not yet settled, oldest first (the order payments settle them)."""
    rows = Charge.objects.filter(outstanding_q(), patron_id=patron.pk)
    return list(rows.order_by("created_at", "id"))


def total_outstanding(patron: Patron) -> Decimal:
    """Return the sum of the reader's outstanding charges, computed from the charges themselves."""
    return sum((charge.outstanding for charge in outstanding(patron)), ZERO)


def history(patron: Patron) -> list[Charge]:
    """Return every charge of the reader, oldest first, with its payment allocations and waivers."""
    rows = Charge.objects.filter(patron_id=patron.pk).prefetch_related(
        Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("payment")),
        Prefetch("waivers", queryset=Waiver.objects.order_by("created_at", "id")),
    )
    return list(rows.order_by("created_at", "id"))


def payments(patron: Patron) -> list[Payment]:
    """Return the reader's payments, oldest first, each with the charges it settled."""
    rows = Payment.objects.filter(patron_id=patron.pk).prefetch_related("allocations")
    return list(rows.order_by("created_at", "id"))


def get_charge(charge_id: int) -> Charge:
    """Return a charge with its reader, or raise ChargeNotFound."""
    try:
        return Charge.objects.select_related("patron", "patron__home_library").get(pk=charge_id)
    except Charge.DoesNotExist:
        raise ChargeNotFound(field="charge", charge=charge_id) from None
