"""Fines services: idempotent charges, overdue accrual, payments oldest first to the cent, waivers, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shelfmark.core.errors import InvalidInput
from shelfmark.core.models import AuditEvent
from shelfmark.fines import selectors, services
from shelfmark.fines.errors import ChargeBelowSettled, ChargeConflict, OverPayment, WaiverTooLarge
from shelfmark.fines.models import Charge, Payment, PaymentAllocation, Waiver
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.errors import InvalidAmount
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _owed(patron: Patron) -> Decimal:
    return Patron.objects.get(pk=patron.pk).fines_owed


def _money() -> tuple[Any, ...]:
    """Every money row and the audit trail length: what a refusal must leave untouched."""
    return (
        list(Charge.objects.order_by("id").values()),
        list(Payment.objects.order_by("id").values()),
        list(PaymentAllocation.objects.order_by("id").values()),
        list(Waiver.objects.order_by("id").values()),
        list(Patron.objects.order_by("id").values("id", "fines_owed")),
        AuditEvent.objects.count(),
    )


def _charges(patron: Patron, *amounts: str) -> list[Charge]:
    """Charge the reader one amount per hour from T0, so 'oldest first' is well defined."""
    return [
        services.add_charge(
            patron=patron,
            kind="manual",
            amount=a,
            source=f"test:{patron.pk}:{n}",
            actor=None,
            now=T0 + timedelta(hours=n),
        )
        for n, a in enumerate(amounts)
    ]


def test_add_charge_is_idempotent_per_source_and_kind():
    patron = make_patron()

    first = services.add_charge(patron=patron, kind="lost", amount="45.00", source="loan:7", actor=None, now=T0)
    again = services.add_charge(patron=patron, kind="lost", amount=Decimal("45"), source="loan:7", actor=None)
    overdue = services.add_charge(patron=patron, kind="overdue", amount="1.20", source="loan:7", actor=None)

    assert again.pk == first.pk
    assert overdue.pk != first.pk
    assert _owed(patron) == Decimal("46.20")
    assert AuditEvent.objects.filter(kind="fines.charge_added").count() == 2


def test_a_retry_with_another_amount_or_reader_is_a_conflict_and_changes_nothing():
    patron, other = make_patron(), make_patron()
    services.add_charge(patron=patron, kind="lost", amount="45.00", source="loan:8", actor=None)
    before = _money()

    with pytest.raises(ChargeConflict):
        services.add_charge(patron=patron, kind="lost", amount="46.00", source="loan:8", actor=None)
    with pytest.raises(ChargeConflict):
        services.add_charge(patron=other, kind="lost", amount="45.00", source="loan:8", actor=None)

    assert _money() == before


@pytest.mark.parametrize(
    ("amount", "kind", "error", "field"),
    [
        ("0", "manual", InvalidAmount, "amount"),
        ("-1.00", "manual", InvalidAmount, "amount"),
        ("0.001", "manual", InvalidAmount, "amount"),
        ("NaN", "manual", InvalidAmount, "amount"),
        ("12", "parking", InvalidInput, "kind"),
    ],
)
def test_bad_charges_are_refused_naming_the_field(amount, kind, error, field):
    patron = make_patron()
    before = _money()

    with pytest.raises(error) as caught:
        services.add_charge(patron=patron, kind=kind, amount=amount, source="", actor=None)

    assert caught.value.field == field
    assert _money() == before


def test_overdue_amount_accrues_and_fines_owed_follows_exactly():
    patron = make_patron()

    none = services.set_overdue_amount(patron=patron, source="loan:9", amount="0", actor=None)
    charge = services.set_overdue_amount(patron=patron, source="loan:9", amount="0.10", actor=None, now=T0)
    for day in range(2, 31):
        services.set_overdue_amount(patron=patron, source="loan:9", amount=Decimal("0.10") * day, actor=None)
    services.set_overdue_amount(patron=patron, source="loan:9", amount="3.00", actor=None)  # unchanged: no event

    assert none is None
    assert charge is not None
    assert (Charge.objects.get(pk=charge.pk).amount, _owed(patron)) == (Decimal("3.00"), Decimal("3.00"))
    assert AuditEvent.objects.filter(kind="fines.charge_amount_changed").count() == 29


def test_overdue_amount_cannot_drop_below_what_is_settled():
    patron = make_patron()
    services.set_overdue_amount(patron=patron, source="loan:10", amount="2.00", actor=None)
    services.pay(patron=patron, amount="1.50", actor=None)
    before = _money()

    with pytest.raises(ChargeBelowSettled):
        services.set_overdue_amount(patron=patron, source="loan:10", amount="1.40", actor=None)

    assert _money() == before
    services.set_overdue_amount(patron=patron, source="loan:10", amount="1.50", actor=None)
    assert _owed(patron) == Decimal("0.00")


def test_payment_settles_the_oldest_charges_first_to_the_cent():
    # given three charges, oldest first: 0.10, 0.20, 1.00
    patron = make_patron()
    old, middle, new = _charges(patron, "0.10", "0.20", "1.00")

    # when the reader pays 0.25
    payment = services.pay(patron=patron, amount="0.25", actor=None, method="wechat", now=T0 + timedelta(days=1))

    # then the oldest is settled, the next partly, the newest not at all
    allocations = [(a.charge_id, a.amount) for a in payment.allocations.order_by("id")]
    assert allocations == [(old.pk, Decimal("0.10")), (middle.pk, Decimal("0.15"))]
    assert [c.outstanding for c in selectors.outstanding(patron)] == [Decimal("0.05"), Decimal("1.00")]
    assert _owed(patron) == Decimal("1.05") == selectors.total_outstanding(patron)

    # when the reader pays the rest, nothing is outstanding
    services.pay(patron=patron, amount="1.05", actor=None)
    assert selectors.outstanding(patron) == []
    assert _owed(patron) == Decimal("0.00")
    event = AuditEvent.objects.filter(kind="fines.payment_made").first()
    assert event is not None
    assert event.data["allocations"] == {str(middle.pk): "0.05", str(new.pk): "1.00"}


def test_over_payment_is_refused_and_nothing_changes():
    patron = make_patron()
    _charges(patron, "0.10", "0.20")
    before = _money()

    with pytest.raises(OverPayment) as caught:
        services.pay(patron=patron, amount="0.31", actor=None)
    with pytest.raises(InvalidInput):
        services.pay(patron=patron, amount="0.30", actor=None, method="bitcoin")

    assert (caught.value.field, caught.value.code) == ("amount", "overpayment")
    assert "0.31" in caught.value.message and "0.30" in caught.value.message
    assert _money() == before


def test_paying_with_nothing_owed_is_an_over_payment():
    patron = make_patron()

    with pytest.raises(OverPayment):
        services.pay(patron=patron, amount="0.01", actor=None)

    assert not Payment.objects.exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    charges=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6),
    payments=st.lists(st.integers(min_value=1, max_value=10_000), max_size=6),
    waive_first=st.booleans(),
)
def test_fines_owed_always_equals_what_the_charges_still_owe(charges, payments, waive_first):
    # given charges in cents, some payments (each capped at what is owed) and perhaps a waiver
    patron = make_patron(pin=None)
    made = _charges(patron, *(str(Decimal(c) / 100) for c in charges))
    if waive_first:
        services.waive(charge=made[0], actor=None, reason="test", amount=Decimal(1) / 100)
    paid = Decimal(0)
    for cents in payments:
        owed = _owed(patron)
        if owed == 0:
            break
        amount = min(Decimal(cents) / 100, owed)
        payment = services.pay(patron=patron, amount=amount, actor=None)
        paid += amount
        assert sum(a.amount for a in payment.allocations.all()) == amount

    # then fines owed is exactly the charges less payments and waivers, and the sum of what is outstanding
    total = sum((Decimal(c) for c in charges), Decimal(0)) / 100
    waived = Decimal("0.01") if waive_first else Decimal(0)
    assert _owed(patron) == total - paid - waived == selectors.total_outstanding(patron)
    for charge in Charge.objects.filter(patron=patron):
        assert charge.paid == sum(a.amount for a in charge.allocations.all())


def test_waive_part_then_the_rest_and_refuse_more():
    patron = make_patron()
    (charge,) = _charges(patron, "10.00")

    part = services.waive(charge=charge, actor=None, reason="首次逾期", amount="4.00", now=T0)
    rest = services.waive(charge=charge, actor=None, reason="读者困难")
    before = _money()
    with pytest.raises(WaiverTooLarge):
        services.waive(charge=charge, actor=None, reason="again")

    assert (part.amount, rest.amount) == (Decimal("4.00"), Decimal("6.00"))
    assert Charge.objects.get(pk=charge.pk).waived == Decimal("10.00")
    assert _owed(patron) == Decimal("0.00")
    assert _money() == before


def test_waive_refusals_change_nothing():
    patron = make_patron()
    (charge,) = _charges(patron, "5.00")
    services.pay(patron=patron, amount="3.00", actor=None)
    before = _money()

    with pytest.raises(WaiverTooLarge):
        services.waive(charge=charge, actor=None, reason="too much", amount="2.01")
    with pytest.raises(InvalidInput) as caught:
        services.waive(charge=charge, actor=None, reason="  ")

    assert caught.value.field == "reason"
    assert _money() == before


def test_fines_over_the_limit_block_the_reader_and_paying_lifts_it(settings):
    settings.SHELFMARK_FINES_BLOCK_LIMIT = "50.00"
    patron = make_patron()
    _charges(patron, "30.00", "20.01")

    blocked = patron_selectors.blocks(Patron.objects.get(pk=patron.pk))
    services.pay(patron=patron, amount="0.01", actor=None)
    cleared = patron_selectors.blocks(Patron.objects.get(pk=patron.pk))

    assert [b.kind for b in blocked] == ["fines_over_limit"]
    assert cleared == []


def test_history_lists_allocations_and_waivers():
    patron = make_patron()
    first, second = _charges(patron, "1.00", "2.00")
    services.pay(patron=patron, amount="1.50", actor=None)
    services.waive(charge=second, actor=None, reason="x", amount="0.50")

    rows = selectors.history(patron)

    assert [c.pk for c in rows] == [first.pk, second.pk]
    assert [a.amount for a in rows[1].allocations.all()] == [Decimal("0.50")]
    assert [w.amount for w in rows[1].waivers.all()] == [Decimal("0.50")]
    assert [p.amount for p in selectors.payments(patron)] == [Decimal("1.50")]
