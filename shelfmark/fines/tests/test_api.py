"""Fines API: see anywhere, pay at any desk, waive and charge at the home library; typed errors change nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from shelfmark.core.models import AuditEvent
from shelfmark.fines import services
from shelfmark.fines.models import Charge, Payment, Waiver
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db
API = "/api/v1/fines"


def _client(who: str, staff) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(staff, who))
    return client


def _money() -> tuple[Any, ...]:
    return (
        list(Charge.objects.order_by("id").values()),
        list(Payment.objects.order_by("id").values()),
        list(Waiver.objects.order_by("id").values()),
        list(Patron.objects.order_by("id").values("id", "fines_owed")),
    )


@pytest.fixture
def owing(net):
    """A county reader owing 1.50 on an overdue loan and 20.00 for a lost item."""
    patron = make_patron(library=net.county)
    services.add_charge(patron=patron, kind="overdue", amount="1.50", source="loan:1", actor=None)
    services.add_charge(patron=patron, kind="lost", amount="20.00", source="loan:2", actor=None)
    return patron


# (who, may read charges, may take payments, may waive or add charges for a county reader)
MATRIX = [
    ("anonymous", False, False, False),
    ("cataloguer", False, False, False),
    ("viewer", True, False, False),
    ("county_desk", True, True, True),
    ("other_desk", True, True, False),  # pays anywhere; waiving is the home library's decision
    ("superuser", True, True, True),
]


def _refused(who: str) -> int:
    return 401 if who == "anonymous" else 403


@pytest.mark.parametrize(("who", "read", "pay", "decide"), MATRIX)
def test_read_charges(who, read, pay, decide, owing, staff):
    response = _client(who, staff).get(f"{API}/patrons/{owing.pk}/charges")

    if read:
        body = response.json()
        assert response.status_code == 200
        assert body["owed"] == "21.50"
        assert [(c["kind"], c["outstanding"], c["source"]) for c in body["charges"]] == [
            ("overdue", "1.50", "loan:1"),
            ("lost", "20.00", "loan:2"),
        ]
        assert AuditEvent.objects.latest("id").kind == "patron.viewed"
    else:
        assert response.status_code == _refused(who)


@pytest.mark.parametrize(("who", "read", "pay", "decide"), MATRIX)
def test_take_a_payment(who, read, pay, decide, owing, staff):
    before = _money()

    response = _client(who, staff).post(
        f"{API}/patrons/{owing.pk}/payments", {"amount": "2.00", "method": "alipay"}, content_type="application/json"
    )

    if pay:
        body = response.json()
        assert response.status_code == 201
        assert (body["amount"], body["method"], body["owed"]) == ("2.00", "alipay", "19.50")
        assert [a["amount"] for a in body["allocations"]] == ["1.50", "0.50"]
    else:
        assert response.status_code == _refused(who)
        assert _money() == before


@pytest.mark.parametrize(("who", "read", "pay", "decide"), MATRIX)
def test_waive_a_charge(who, read, pay, decide, owing, staff):
    charge = Charge.objects.get(source="loan:1")
    before = _money()

    response = _client(who, staff).post(
        f"{API}/charges/{charge.pk}/waive", {"reason": "系统故障导致逾期"}, content_type="application/json"
    )

    if decide:
        assert response.status_code == 201
        assert (response.json()["amount"], response.json()["outstanding"]) == ("1.50", "0.00")
        assert Patron.objects.get(pk=owing.pk).fines_owed == Decimal("20.00")
    else:
        assert response.status_code == _refused(who)
        assert _money() == before


@pytest.mark.parametrize(("who", "read", "pay", "decide"), MATRIX)
def test_add_a_charge_by_hand(who, read, pay, decide, owing, staff):
    before = _money()

    response = _client(who, staff).post(
        f"{API}/patrons/{owing.pk}/charges",
        {"kind": "damage", "amount": "8.80", "note": "水渍"},
        content_type="application/json",
    )

    if decide:
        assert response.status_code == 201
        assert (response.json()["kind_label"], response.json()["outstanding"]) == ("损坏赔偿", "8.80")
        assert Patron.objects.get(pk=owing.pk).fines_owed == Decimal("30.30")
    else:
        assert response.status_code == _refused(who)
        assert _money() == before


@pytest.mark.parametrize(
    ("path", "payload", "status", "code", "field"),
    [
        ("/patrons/{id}/payments", {"amount": "21.51"}, 409, "overpayment", "amount"),
        ("/patrons/{id}/payments", {"amount": "1.005"}, 422, "invalid_input", "amount"),
        ("/patrons/{id}/payments", {"amount": "-1"}, 422, "invalid_input", "amount"),
        ("/patrons/{id}/payments", {"amount": "1", "method": "bitcoin"}, 422, "invalid_input", "method"),
        ("/patrons/999999/payments", {"amount": "1"}, 404, "patron_not_found", "id"),
        ("/charges/{charge}/waive", {"reason": "x", "amount": "1.51"}, 409, "waiver_too_large", "amount"),
        ("/charges/{charge}/waive", {"reason": "  "}, 422, "invalid_input", "reason"),
        ("/charges/{charge}/waive", {}, 422, "invalid_input", "reason"),
        ("/charges/999999/waive", {"reason": "x"}, 404, "charge_not_found", "charge"),
    ],
)
def test_typed_errors_change_nothing(path, payload, status, code, field, owing, staff):
    charge = Charge.objects.get(source="loan:1")
    before = _money()
    url = API + path.replace("{id}", str(owing.pk)).replace("{charge}", str(charge.pk))

    response = _client("superuser", staff).post(url, payload, content_type="application/json")

    body = response.json()
    assert (response.status_code, body["code"], body["field"]) == (status, code, field)
    assert _money() == before


def test_settled_charges_show_with_include_settled(owing, staff):
    services.pay(patron=owing, amount="1.50", actor=None)
    client = _client("viewer", staff)

    outstanding = client.get(f"{API}/patrons/{owing.pk}/charges").json()
    everything = client.get(f"{API}/patrons/{owing.pk}/charges?include_settled=true").json()
    payments = client.get(f"{API}/patrons/{owing.pk}/payments").json()

    assert [c["source"] for c in outstanding["charges"]] == ["loan:2"]
    assert [(c["source"], c["paid"]) for c in everything["charges"]] == [("loan:1", "1.50"), ("loan:2", "0.00")]
    first = Charge.objects.get(source="loan:1").pk
    assert [(p["amount"], p["allocations"]) for p in payments] == [("1.50", [{"charge": first, "amount": "1.50"}])]
