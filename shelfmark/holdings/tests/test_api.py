"""Holdings API: scan, read, create, change, list a record's copies; every refusal answers {code, message, field}."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from shelfmark.core.models import AuditEvent
from shelfmark.holdings import identity, qr, services
from shelfmark.holdings.models import Item, ItemStatus, ItemStatusChange
from shelfmark.holdings.tests.factories import make_item, make_record

pytestmark = pytest.mark.django_db
API = "/api/v1/holdings"


def _client(staff: Any, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(staff, who))
    return client


def _snapshot() -> tuple[list[dict[str, Any]], int, int]:
    items = [dict(row) for row in Item.objects.order_by("id").values()]
    return items, ItemStatusChange.objects.count(), AuditEvent.objects.count()


def _error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()
    assert set(body) == {"code", "message", "field"} and body["message"]
    return response.status_code, body["code"], body["field"]


@pytest.mark.parametrize("form", ["barcode", "qr", "payload", "payload_other_host"])
def test_scan_finds_the_item(net, staff, form):
    item = make_item(library=net.county, call_number="K293.1/12", price=Decimal("35.50"))
    code = {
        "barcode": item.barcode,
        "qr": item.qr_code.lower(),
        "payload": qr.payload(item),
        "payload_other_host": f"https://m.lnlib.example/i/{item.qr_code}",
    }[form]
    response = _client(staff, "circulation").get(f"{API}/items/scan", {"code": f" {code}\n"})
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == item.pk
    assert body["qr_payload"] == f"http://127.0.0.1:8000/i/{item.qr_code}"
    assert (body["title"], body["call_number"], body["home_library"], body["current_library"]) == (
        "辽宁地方志研究",
        "K293.1/12",
        "LN-SY-KP",
        "LN-SY-KP",
    )
    assert (body["status"], body["status_label"], body["item_type_label"]) == ("available", "在架", "普通图书")
    assert Decimal(str(body["price"])) == Decimal("35.50")


def test_scan_of_an_unknown_code_is_a_typed_404(net, staff):
    response = _client(staff, "viewer").get(f"{API}/items/scan", {"code": "2099999999999"})
    assert _error(response) == (404, "item_not_found", "code")
    assert "2099999999999" in response.json()["message"]


def test_scan_needs_a_code_and_a_staff_login(net, staff):
    assert _error(_client(staff, "viewer").get(f"{API}/items/scan")) == (422, "invalid_input", "code")
    assert _error(_client(staff, "anonymous").get(f"{API}/items/scan", {"code": "x"})) == (
        401,
        "not_authenticated",
        None,
    )


def test_read_an_item_and_its_history(net, staff):
    item = make_item(library=net.county)
    services.change_status(item=item, status=ItemStatus.ON_LOAN, actor=staff.circulation, library=net.township)
    client = _client(staff, "viewer")
    assert client.get(f"{API}/items/{item.pk}").json()["current_library"] == "LN-SY-KP-01"
    history = client.get(f"{API}/items/{item.pk}/history").json()
    assert [(h["from_status"], h["to_status"], h["library"], h["actor"]) for h in history] == [
        ("", "available", "LN-SY-KP", None),
        ("available", "on_loan", "LN-SY-KP-01", "desk"),
    ]
    assert _error(client.get(f"{API}/items/999999")) == (404, "item_not_found", "id")


# (who, where the item is created, allowed)
CREATE_MATRIX = [
    ("anonymous", "county", False),
    ("viewer", "county", False),
    ("circulation", "county", False),
    ("county", "county", True),
    ("county", "township", True),
    ("county", "other_county", False),
    ("county", "city", False),
    ("city", "other_county", True),
    ("superuser", "province", True),
]


@pytest.mark.parametrize(("who", "where", "allowed"), CREATE_MATRIX)
def test_create_an_item(net, staff, who, where, allowed):
    record = make_record()
    library = getattr(net, where)
    before = _snapshot()
    payload = {"record_id": record.pk, "home_library": library.code, "call_number": "K293.1/12", "price": "42.00"}
    response = _client(staff, who).post(f"{API}/items", payload, content_type="application/json")
    if allowed:
        assert response.status_code == 201
        body = response.json()
        assert body["barcode"] == identity.barcode_for(1)
        assert (body["home_library"], body["call_number"], body["status"]) == (library.code, "K293.1/12", "available")
        assert Item.objects.get(pk=body["id"]).record_id == record.pk
    else:
        assert _error(response)[:2] == (
            (401, "not_authenticated") if who == "anonymous" else (403, "permission_denied")
        )
        assert _snapshot() == before


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"record_id": 999999}, 422, "invalid_input", "record_id"),
        ({"home_library": "NOPE"}, 422, "invalid_input", "home_library"),
        ({"item_type": "comic"}, 422, "invalid_input", "item_type"),
        ({"price": "-3"}, 422, "invalid_input", "price"),
        ({"barcode": "has space"}, 422, "invalid_barcode", "barcode"),
        ({"barcode": "TAKEN-1"}, 409, "barcode_taken", "barcode"),
    ],
)
def test_create_refusals_are_typed_and_write_nothing(net, staff, change, status, code, field):
    make_item(library=net.county, barcode="TAKEN-1")
    payload = {"record_id": make_record().pk, "home_library": net.county.code, **change}
    before = _snapshot()
    response = _client(staff, "county").post(f"{API}/items", payload, content_type="application/json")
    assert _error(response) == (status, code, field)
    assert _snapshot() == before


def test_writes_need_the_csrf_token(net, staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.superuser)
    before = _snapshot()
    payload = {"record_id": make_record().pk, "home_library": net.county.code}
    response = client.post(f"{API}/items", payload, content_type="application/json")
    assert _error(response)[:2] == (403, "csrf_failed")
    assert _snapshot()[0] == before[0]


def test_patch_changes_fields_and_status(net, staff):
    item = make_item(library=net.township, call_number="I247/1", price=Decimal("20.00"))
    payload = {"call_number": "I247.5/12", "shelving_location": "少儿区", "status": "damaged", "reason": "水渍"}
    response = _client(staff, "county").patch(f"{API}/items/{item.pk}", payload, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert (body["call_number"], body["shelving_location"], body["status"]) == ("I247.5/12", "少儿区", "damaged")
    assert Decimal(str(body["price"])) == Decimal("20.00")  # left out, so unchanged
    assert item.status_changes.order_by("id").values_list("to_status", "reason").last() == ("damaged", "水渍")


def test_patch_may_clear_the_price_and_withdraw(net, staff):
    item = make_item(library=net.county, price=Decimal("20.00"))
    client = _client(staff, "county")
    response = client.patch(f"{API}/items/{item.pk}", {"price": None}, content_type="application/json")
    assert response.json()["price"] is None
    response = client.patch(
        f"{API}/items/{item.pk}", {"status": "withdrawn", "reason": "剔旧"}, content_type="application/json"
    )
    assert response.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("who", "payload", "status", "code", "field"),
    [
        ("other_county", {"call_number": "X"}, 403, "permission_denied", None),
        ("circulation", {"status": "missing"}, 403, "permission_denied", None),
        ("county", {"status": "on_loan"}, 409, "status_change_not_allowed", "status"),
        ("county", {"call_number": "X", "status": "withdrawn"}, 422, "invalid_input", "reason"),
        ("county", {"status": "borrowed"}, 422, "invalid_input", "status"),
        ("county", {"call_number": None}, 422, "invalid_input", "call_number"),
        ("county", {"price": "1000000000"}, 422, "invalid_input", "price"),
    ],
)
def test_patch_refusals_are_typed_and_change_nothing(net, staff, who, payload, status, code, field):
    item = make_item(library=net.county, call_number="I247/1")
    before = _snapshot()
    response = _client(staff, who).patch(f"{API}/items/{item.pk}", payload, content_type="application/json")
    assert _error(response) == (status, code, field)
    assert _snapshot() == before


def test_a_county_cataloguer_cannot_edit_another_countys_item(net, staff):
    # given an item of 法库县
    item = make_item(library=net.other_county, call_number="I247/1")
    before = _snapshot()
    # when the 康平县 cataloguer tries to change or withdraw it
    client = _client(staff, "county")
    for payload in ({"call_number": "I247/9"}, {"status": "withdrawn", "reason": "x"}):
        response = client.patch(f"{API}/items/{item.pk}", payload, content_type="application/json")
        # then it is refused, naming the permission and the library, and nothing changed
        assert _error(response) == (403, "permission_denied", None)
        assert "LN-SY-FK" in response.json()["message"]
    assert _snapshot() == before


def test_patch_of_an_item_on_loan_is_refused(net, staff):
    item = make_item(library=net.county)
    services.change_status(item=item, status=ItemStatus.ON_LOAN, actor=None)
    before = _snapshot()
    response = _client(staff, "county").patch(
        f"{API}/items/{item.pk}", {"status": "available"}, content_type="application/json"
    )
    assert _error(response) == (409, "status_change_not_allowed", "status")
    assert _snapshot() == before


def test_record_items_lists_copies_and_availability(net, staff):
    record = make_record()
    on_shelf = make_item(record, library=net.county)
    lent = make_item(record, library=net.county)
    services.change_status(item=lent, status=ItemStatus.ON_LOAN, actor=None)
    response = _client(staff, "viewer").get(f"{API}/records/{record.pk}/items")
    assert response.status_code == 200
    body = response.json()
    assert [i["id"] for i in body["items"]] == [on_shelf.pk, lent.pk]
    assert body["availability"] == [
        {
            "library": "LN-SY-KP",
            "library_name": "康平县图书馆",
            "total": 2,
            "available": 1,
            "statuses": {"available": 1, "on_loan": 1},
        }
    ]
    assert _error(_client(staff, "viewer").get(f"{API}/records/999999/items")) == (404, "not_found", "record_id")
