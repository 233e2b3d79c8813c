"""Readers API: the permission matrix (look up anywhere, change at home), audited reads, typed errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from shelfmark.core.models import AuditEvent
from shelfmark.patrons import services
from shelfmark.patrons.models import Patron, PatronBlock
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db
API = "/api/v1/patrons"
ID = "11010519491231002X"


def _client(who: str, staff) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(staff, who))
    return client


def _snapshot() -> tuple[list[dict[str, Any]], int, int]:
    """What a refused request must leave untouched: reader rows, stored blocks, the audit trail length."""
    return (
        [dict(r) for r in Patron.objects.order_by("id").values()],
        PatronBlock.objects.count(),
        AuditEvent.objects.count(),
    )


def _refused(who: str) -> tuple[int, str]:
    return (401, "not_authenticated") if who == "anonymous" else (403, "permission_denied")


# (who, may look readers up anywhere)
LOOKUP = [
    ("anonymous", False),
    ("cataloguer", False),
    ("viewer", True),
    ("county_desk", True),
    ("other_desk", True),  # return-anywhere: a desk in another county serves the reader too
    ("superuser", True),
]

# (who, where the reader's home is, may change the reader)
EDIT = [
    ("viewer", "county", False),
    ("cataloguer", "county", False),
    ("county_desk", "county", True),
    ("county_desk", "township", True),  # the county's grant covers its subtree
    ("county_desk", "city", False),
    ("other_desk", "county", False),
    ("superuser", "county", True),
]


@pytest.mark.parametrize(("who", "allowed"), LOOKUP)
def test_look_up_a_reader_by_card(who, allowed, net, staff):
    # given a reader of the county with an ID-card number
    patron = make_patron(library=net.county, card_number="KP-0001", id_number=ID)
    before = AuditEvent.objects.count()

    # when `who` scans the card
    response = _client(who, staff).get(f"{API}/by-card/KP-0001")

    # then the reader is shown (ID masked, no hashes) and the read is audited, or refused without a trace
    if allowed:
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["home_library"], body["id_number_masked"]) == (
            patron.pk,
            "LN-SY-KP",
            "1101**********002X",
        )
        assert body["pin_set"] is True and body["blocks"] == []
        assert "pin_hash" not in body and "id_number_hash" not in body and ID not in response.content.decode()
        event = AuditEvent.objects.latest("id")
        assert (event.kind, event.actor, event.object_id, event.data) == (
            "patron.viewed",
            getattr(staff, who),
            str(patron.pk),
            {"via": "card"},
        )
    else:
        assert (response.status_code, response.json()["code"]) == _refused(who)
        assert AuditEvent.objects.count() == before


@pytest.mark.parametrize(("who", "where", "allowed"), EDIT)
def test_change_a_reader(who, where, allowed, net, staff):
    patron = make_patron(library=getattr(net, where), name="旧名")
    before = _snapshot()

    response = _client(who, staff).patch(
        f"{API}/{patron.pk}", {"name": "新名", "history_opt_in": True}, content_type="application/json"
    )

    if allowed:
        assert response.status_code == 200
        assert (response.json()["name"], response.json()["history_opt_in"]) == ("新名", True)
        row = Patron.objects.get(pk=patron.pk)
        assert (row.name, row.history_opt_in) == ("新名", True)
    else:
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
        assert _snapshot() == before


@pytest.mark.parametrize(("who", "where", "allowed"), EDIT)
def test_block_and_lift(who, where, allowed, net, staff):
    patron = make_patron(library=getattr(net, where))
    block = services.add_block(patron=patron, reason="existing", actor=None)
    before = _snapshot()
    client = _client(who, staff)

    added = client.post(f"{API}/{patron.pk}/blocks", {"reason": "损坏图书"}, content_type="application/json")
    lifted = client.delete(f"{API}/{patron.pk}/blocks/{block.pk}")

    if allowed:
        assert added.status_code == 201 and added.json()["kind"] == "manual"
        assert lifted.status_code == 204
        shown = client.get(f"{API}/{patron.pk}").json()["blocks"]
        assert shown == [{"kind": "manual", "reason": "损坏图书", "block_id": added.json()["id"]}]
    else:
        assert (added.status_code, lifted.status_code) == (403, 403)
        assert _snapshot() == before


@pytest.mark.parametrize(
    ("who", "where", "allowed"),
    [("county_desk", "township", True), ("county_desk", "other_county", False), ("viewer", "county", False)],
)
def test_register_a_reader(who, where, allowed, net, staff):
    before = _snapshot()
    payload = {
        "card_number": "NEW-001",
        "name": "赵六",
        "category": "student",
        "home_library": getattr(net, where).code,
        "pin": "246810",
        "id_number": ID,
    }

    response = _client(who, staff).post(f"{API}/", payload, content_type="application/json")

    if allowed:
        assert response.status_code == 201
        body = response.json()
        assert (body["card_number"], body["category_label"], body["pin_set"]) == ("NEW-001", "学生", True)
        services.verify_pin(patron=Patron.objects.get(pk=body["id"]), pin="246810")
    else:
        assert response.status_code == 403
        assert _snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "code", "field"),
    [
        ("get", "/by-card/NOPE", None, 404, "patron_not_found", "card"),
        ("get", "/by-card/OLD-9", None, 409, "card_retired", "card"),
        ("get", "/999999", None, 404, "patron_not_found", "id"),
        ("post", "/lookup-by-id-number", {"id_number": "110105194912310021"}, 422, "invalid_id_number", "id_number"),
        ("post", "/lookup-by-id-number", {"id_number": "210102198001011232"}, 404, "patron_not_found", "id_number"),
        ("post", "/{id}/pin", {"pin": "12"}, 422, "invalid_pin", "pin"),
        ("post", "/{id}/renew", {"expires_on": "2000-01-01"}, 422, "invalid_input", "expires_on"),
        ("patch", "/{id}", {"email": "nope"}, 422, "invalid_input", "email"),
        ("patch", "/{id}", {"home_library": "NO-SUCH"}, 422, "invalid_input", "home_library"),
        ("patch", "/{id}", {"category": "vip"}, 422, "invalid_input", "category"),
        ("post", "/{id}/deposits", {"amount": "1.001"}, 422, "invalid_input", "amount"),
        ("post", "/{id}/deposits/refund", {"amount": "5.00"}, 409, "deposit_insufficient", "amount"),
        ("post", "/", {"card_number": "NEW-1", "name": "x", "home_library": "LN"}, 409, "card_number_taken", None),
    ],
)
def test_typed_errors(method, path, payload, status, code, field, net, staff):
    patron = make_patron(library=net.county, card_number="OLD-9")
    services.replace_card(patron=patron, new_card_number="NEW-1", actor=None)
    before = _snapshot()
    client = _client("superuser", staff)
    url = API + path.replace("{id}", str(patron.pk))

    response = (
        client.get(url)
        if payload is None
        else getattr(client, method)(url, json.dumps(payload), content_type="application/json")
    )

    body = response.json()
    assert (response.status_code, body["code"]) == (status, code)
    if field is not None:
        assert body["field"] == field
    assert body["message"]
    assert _snapshot()[:2] == before[:2]


def test_lookup_by_id_number_is_audited(net, staff):
    patron = make_patron(library=net.county, id_number=ID)

    response = _client("other_desk", staff).post(
        f"{API}/lookup-by-id-number", {"id_number": ID.lower()}, content_type="application/json"
    )

    assert (response.status_code, response.json()["id"]) == (200, patron.pk)
    event = AuditEvent.objects.latest("id")
    assert (event.kind, event.data, event.actor) == ("patron.viewed", {"via": "id_number"}, staff.other_desk)


def test_standing_and_lost_card_endpoints(net, staff):
    patron = make_patron(library=net.county, card_number="KP-LOST")
    client = _client("county_desk", staff)

    standing = client.get(f"{API}/{patron.pk}/standing").json()
    reported = client.post(f"{API}/{patron.pk}/lost-card", {"reason": "丢失"}, content_type="application/json").json()
    replaced = client.post(
        f"{API}/{patron.pk}/lost-card", {"new_card_number": "KP-NEW"}, content_type="application/json"
    ).json()

    assert (standing["score"], standing["tier"], standing["deposit_free"]) == (650, "fair", True)
    assert standing["reasons"] == [{"code": "base", "points": 650, "message": "起始分"}]
    assert [b["kind"] for b in reported["blocks"]] == ["lost_card"]
    assert (replaced["card_number"], replaced["blocks"]) == ("KP-NEW", [])


def test_deposit_endpoints_keep_the_ledger(net, staff):
    patron = make_patron(library=net.county)
    client = _client("county_desk", staff)

    taken = client.post(f"{API}/{patron.pk}/deposits", {"amount": "100.00"}, content_type="application/json")
    refunded = client.post(f"{API}/{patron.pk}/deposits/refund", {"amount": "40"}, content_type="application/json")
    ledger = client.get(f"{API}/{patron.pk}/deposits").json()

    assert (taken.status_code, refunded.status_code) == (201, 201)
    assert ledger["balance"] == "60.00"
    assert [(e["kind"], e["amount"]) for e in ledger["entries"]] == [("taken", "100.00"), ("refunded", "-40.00")]
