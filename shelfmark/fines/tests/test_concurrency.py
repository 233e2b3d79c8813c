"""Payments from many desks at once on PostgreSQL: never more taken than owed, fines owed exact to the cent."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from shelfmark.core.tests.concurrency import RACE_TEST_MARKS, run_together
from shelfmark.fines import selectors, services
from shelfmark.fines.models import Payment
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

pytestmark = RACE_TEST_MARKS


def test_eight_desks_paying_the_whole_debt_take_it_once():
    patron = make_patron(pin=None)
    services.add_charge(patron=patron, kind="overdue", amount="1.50", source="loan:1", actor=None)
    services.add_charge(patron=patron, kind="lost", amount="20.00", source="loan:2", actor=None)

    results = run_together([lambda: services.pay(patron=patron, amount="21.50", actor=None)] * 8)

    assert Counter(type(r).__name__ for r in results) == {"Payment": 1, "OverPayment": 7}
    assert Payment.objects.count() == 1
    assert Patron.objects.get(pk=patron.pk).fines_owed == Decimal("0.00") == selectors.total_outstanding(patron)


def test_partial_payments_and_accrual_at_once_stay_exact():
    # given 5.00 owed, while three overdue runs bring another loan's fine to 0.30 at the same moment
    patron = make_patron(pin=None)
    services.add_charge(patron=patron, kind="lost", amount="5.00", source="loan:3", actor=None)
    pays = [lambda: services.pay(patron=patron, amount="1.00", actor=None)] * 7
    accrue = [lambda: services.set_overdue_amount(patron=patron, source="loan:4", amount="0.30", actor=None)] * 3

    results = run_together(pays + accrue)

    # then five payments fit (a sixth would need 6.00), one overdue charge exists, 0.30 is owed exactly
    assert Counter(type(r).__name__ for r in results[:7]) == {"Payment": 5, "OverPayment": 2}
    assert all(type(r).__name__ == "Charge" for r in results[7:])
    assert len({r.pk for r in results[7:]}) == 1  # type: ignore[attr-defined]
    owed = Patron.objects.get(pk=patron.pk).fines_owed
    assert owed == Decimal("0.30") == selectors.total_outstanding(patron)
