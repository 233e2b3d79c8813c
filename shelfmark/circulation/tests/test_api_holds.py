"""Circulation API, bookings and desk lists: place and cancel holds, a reader's loans and holds (audited reads),
a branch's pull list and incoming transits, and which rule applies and why."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F
from django.test import Client

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation import services
from shelfmark.circulation.models import CirculationRule, Hold, Loan
from shelfmark.core.models import AuditEvent
from shelfmark.holdings.models import ItemStatus
from shelfmark.patrons import services as patron_services

pytestmark = pytest.mark.django_db
API = "/api/v1/circulation"
KP, FK, CITY = "LN-SY-KP", "LN-SY-FK", "LN-SY"


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json")


def _refused(response: Any, status: int, code: str, field: str | None) -> None:
    body = response.json()
    assert response.status_code == status, body
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]


def _holds() -> list[Any]:
    return list(Hold.objects.order_by("id").values())


@pytest.fixture
def fk_desk(desk):
    """A circulation clerk of the other county only."""
    return accounts.create_staff(
        username="fk-clerk", password="pw-123456", library=desk.net.other_county, roles=[Role.CIRCULATION]
    )


def _on_loan(desk, item) -> None:
    services.check_out(item=item, patron=desk.reader(), library=desk.net.county, actor=desk.clerk)


# ----------------------------------------------------------------------------------------------- holds


def test_a_title_booking_for_pickup_elsewhere_answers_the_hold_with_its_place_in_the_queue(desk):
    item = desk.item()
    _on_loan(desk, item)
    first, second = desk.reader(), desk.reader()
    services.place_hold(patron=first, record=item.record, pickup_library=desk.net.county, actor=desk.clerk)

    response = _post(
        _client(desk.clerk), "/holds", {"card": second.card_number, "record_id": item.record_id, "pickup_library": CITY}
    )

    assert response.status_code == 201
    body = response.json()
    hold = Hold.objects.get(patron=second)
    assert (body["id"], body["patron_id"], body["record_id"], body["title"]) == (
        hold.pk,
        second.pk,
        item.record_id,
        "辽宁地方志研究",
    )
    assert (body["pickup_library"], body["pickup_library_name"], body["status"], body["queue_position"]) == (
        CITY,
        "沈阳市图书馆",
        "waiting",
        2,
    )
    assert (body["item"], body["trapped_item"], body["home_delivery"]) == (None, None, False)


def test_a_copy_booking_by_scan_names_the_copy(desk):
    item = desk.item()
    _on_loan(desk, item)
    reader = desk.reader()

    response = _post(
        _client(desk.clerk), "/holds", {"patron_id": reader.pk, "item": item.qr_code, "pickup_library": KP}
    )

    assert response.status_code == 201
    assert (response.json()["item"], response.json()["record_id"]) == (item.barcode, item.record_id)
    assert Hold.objects.get().item == item


def test_home_delivery_goes_to_the_readers_home_library_and_is_refused_to_others(desk):
    item = desk.item()
    eligible = desk.reader()
    patron_services.update_patron(patron=eligible, home_delivery=True, actor=None)
    other = desk.reader()
    client = _client(desk.clerk)

    refused = _post(client, "/holds", {"card": other.card_number, "record_id": item.record_id, "home_delivery": True})
    _refused(refused, 409, "hold_not_allowed", "home_delivery")
    assert not Hold.objects.exists()

    placed = _post(client, "/holds", {"card": eligible.card_number, "record_id": item.record_id, "home_delivery": True})
    assert placed.status_code == 201
    assert (placed.json()["home_delivery"], placed.json()["pickup_library"]) == (True, KP)


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"record_id": 999999}, 422, "invalid_input", "record_id"),
        ({"record_id": None, "item": "NOPE"}, 404, "item_not_found", "item"),
        ({"pickup_library": "NOWHERE"}, 422, "invalid_input", "pickup_library"),
        ({"record_id": None}, 422, "invalid_input", None),  # neither title nor copy
        ({"pickup_library": None}, 422, "invalid_input", None),  # neither pickup nor home delivery
    ],
)
def test_a_booking_with_unknown_or_missing_parts_names_them_and_places_nothing(desk, body, status, code, field):
    item, reader = desk.item(), desk.reader()
    request = {"card": reader.card_number, "record_id": item.record_id, "pickup_library": KP, **body}

    response = _post(_client(desk.clerk), "/holds", {k: v for k, v in request.items() if v is not None})

    _refused(response, status, code, field)
    assert not Hold.objects.exists()


def test_a_second_booking_of_the_same_title_is_refused(desk):
    item, reader = desk.item(), desk.reader()
    client = _client(desk.clerk)
    body = {"card": reader.card_number, "record_id": item.record_id, "pickup_library": KP}
    assert _post(client, "/holds", body).status_code == 201
    before = _holds()

    _refused(_post(client, "/holds", body), 409, "hold_already_placed", None)
    assert _holds() == before


def test_booking_needs_circulation_at_the_desk_which_defaults_to_the_pickup_library(desk, fk_desk):
    item, reader = desk.item(), desk.reader()
    body = {"card": reader.card_number, "record_id": item.record_id, "pickup_library": KP}

    _refused(_post(_client(fk_desk), "/holds", body), 403, "permission_denied", None)
    _refused(_post(_client(desk.viewer), "/holds", body), 403, "permission_denied", None)
    assert not Hold.objects.exists()

    # a desk at the other county may book for pickup at 康平
    placed = _post(_client(fk_desk), "/holds", {**body, "library": FK})
    assert (placed.status_code, placed.json()["pickup_library"]) == (201, KP)


def test_cancelling_a_booking_answers_it_cancelled_and_twice_is_refused(desk):
    item, reader = desk.item(), desk.reader()
    hold = services.place_hold(patron=reader, record=item.record, pickup_library=desk.net.county, actor=desk.clerk)
    client = _client(desk.clerk)

    response = client.delete(f"{API}/holds/{hold.pk}?reason=读者来电取消")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["queue_position"]) == ("cancelled", None)
    hold.refresh_from_db()
    assert (hold.status, hold.note) == ("cancelled", "读者来电取消")
    before = _holds()
    _refused(client.delete(f"{API}/holds/{hold.pk}"), 409, "hold_not_cancellable", None)
    assert _holds() == before


def test_cancelling_a_ready_booking_puts_the_copy_back_on_the_shelf(desk):
    item, reader = desk.item(), desk.reader()
    _on_loan(desk, item)
    hold = services.place_hold(patron=reader, record=item.record, pickup_library=desk.net.county, actor=desk.clerk)
    services.check_in(item=item, library=desk.net.county, actor=desk.clerk)

    response = _client(desk.clerk).delete(f"{API}/holds/{hold.pk}")

    assert response.json()["status"] == "cancelled"
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE


def test_cancelling_an_unknown_or_foreign_booking_is_refused(desk, fk_desk):
    hold = services.place_hold(
        patron=desk.reader(), record=desk.item().record, pickup_library=desk.net.county, actor=desk.clerk
    )
    before = _holds()

    _refused(_client(desk.clerk).delete(f"{API}/holds/999999"), 404, "hold_not_found", "hold_id")
    _refused(_client(fk_desk).delete(f"{API}/holds/{hold.pk}"), 403, "permission_denied", None)
    assert _holds() == before


# ---------------------------------------------------------------------------------- a reader's lists


def test_a_readers_loans_and_holds_are_listed_and_each_read_is_audited(desk):
    reader = desk.reader()
    due_later, due_sooner, booked = desk.item(), desk.item(), desk.item()
    services.check_out(item=due_later, patron=reader, library=desk.net.county, actor=desk.clerk)
    sooner = services.check_out(item=due_sooner, patron=reader, library=desk.net.other_county, actor=desk.clerk)
    Loan.objects.filter(pk=sooner.pk).update(due_on=F("due_on") - timedelta(days=3))
    _on_loan(desk, booked)
    hold = services.place_hold(patron=reader, record=booked.record, pickup_library=desk.net.city, actor=desk.clerk)
    client = _client(desk.viewer)  # looking up is enough to read

    loans = client.get(f"{API}/patrons/{reader.pk}/loans")
    holds = client.get(f"{API}/patrons/{reader.pk}/holds")

    assert loans.status_code == 200
    assert [(loan["item"]["barcode"], loan["library"]) for loan in loans.json()] == [
        (due_sooner.barcode, FK),
        (due_later.barcode, KP),
    ]
    assert loans.json()[0]["item"]["current_library"] == FK
    assert [(h["id"], h["status"], h["queue_position"], h["pickup_library"]) for h in holds.json()] == [
        (hold.pk, "waiting", 1, CITY)
    ]
    views = AuditEvent.objects.filter(kind="patron.viewed", object_id=str(reader.pk))
    assert views.count() == 2 and {event.actor for event in views} == {desk.viewer}


def test_a_readers_lists_cost_the_same_queries_however_many_loans(desk, django_assert_num_queries):
    reader = desk.reader()
    client = _client(desk.clerk)
    client.get(f"{API}/patrons/{reader.pk}/loans")  # the login's first request also touches the session
    services.check_out(item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk)
    with django_assert_num_queries(6) as one:  # session, user, grants, reader, audit, loans
        client.get(f"{API}/patrons/{reader.pk}/loans")
    for _ in range(3):
        services.check_out(item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk)

    with django_assert_num_queries(len(one)):
        assert len(client.get(f"{API}/patrons/{reader.pk}/loans").json()) == 4


def test_reading_a_readers_lists_needs_a_look_up_permission_and_a_known_reader(desk):
    reader = desk.reader()
    cataloguer = accounts.create_staff(
        username="cat", password="pw-123456", library=desk.net.province, roles=[Role.CATALOGUER]
    )

    _refused(_client(cataloguer).get(f"{API}/patrons/{reader.pk}/loans"), 403, "permission_denied", None)
    _refused(_client(cataloguer).get(f"{API}/patrons/{reader.pk}/holds"), 403, "permission_denied", None)
    _refused(_client().get(f"{API}/patrons/{reader.pk}/holds"), 401, "not_authenticated", None)
    _refused(_client(desk.clerk).get(f"{API}/patrons/999999/loans"), 404, "patron_not_found", "patron_id")
    assert not AuditEvent.objects.filter(kind="patron.viewed").exists()


# --------------------------------------------------------------------------------------- desk lists


def test_the_pull_list_names_the_copy_to_fetch_for_each_booking(desk):
    record = desk.record("沈阳故宫史话")
    shelf_copy = desk.item(record, call_number="K291.31/12")
    reader = desk.reader()
    hold = services.place_hold(patron=reader, record=record, pickup_library=desk.net.city, actor=desk.clerk)

    response = _client(desk.clerk).get(f"{API}/libraries/{KP}/pull-list")

    assert response.status_code == 200
    assert response.json() == [
        {
            "hold_id": hold.pk,
            "record_id": record.pk,
            "title": "沈阳故宫史话",
            "item": shelf_copy.barcode,
            "call_number": "K291.31/12",
            "shelving_location": shelf_copy.shelving_location,
            "pickup_library": CITY,
            "home_delivery": False,
            "placed_at": response.json()[0]["placed_at"],
        }
    ]
    assert _client(desk.clerk).get(f"{API}/libraries/{FK}/pull-list").json() == []


def test_incoming_transits_list_what_travels_to_the_library(desk):
    item = desk.item()
    _on_loan(desk, item)
    services.check_in(item=item, library=desk.net.other_county, actor=desk.clerk)

    incoming = _client(desk.clerk).get(f"{API}/libraries/{KP}/transits").json()

    assert [(t["item"], t["from_library"], t["to_library"], t["reason"]) for t in incoming] == [
        (item.barcode, FK, KP, "return_home")
    ]
    assert _client(desk.clerk).get(f"{API}/libraries/{FK}/transits").json() == []


def test_desk_lists_need_circulation_at_that_library(desk, fk_desk):
    _refused(_client(fk_desk).get(f"{API}/libraries/{KP}/pull-list"), 403, "permission_denied", None)
    _refused(_client(fk_desk).get(f"{API}/libraries/{KP}/transits"), 403, "permission_denied", None)
    _refused(_client(desk.clerk).get(f"{API}/libraries/NOWHERE/transits"), 404, "not_found", "library")
    assert _client(fk_desk).get(f"{API}/libraries/{FK}/transits").status_code == 200


# ------------------------------------------------------------------------------------------- rules


def test_explain_names_the_rule_that_applies_and_why(desk):
    county_books = CirculationRule.objects.create(
        library=desk.net.county, item_type="book", loan_days=21, max_loans=8, fine_per_day=Decimal("0.20")
    )

    response = _client(desk.clerk).get(
        f"{API}/rules/explain", {"library": KP, "category": "adult", "item_type": "book"}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["rule"]["id"], body["rule"]["library"], body["rule"]["loan_days"]) == (county_books.pk, KP, 21)
    assert body["rule"]["fine_per_day"] == "0.20"
    assert [rule["id"] for rule in body["candidates"]] == [county_books.pk, desk.network_rule.pk]
    assert "康平县图书馆" in body["reason"] and "普通图书" in body["reason"]


def test_explain_falls_back_to_the_network_rule_elsewhere(desk):
    CirculationRule.objects.create(library=desk.net.county, item_type="book", loan_days=21)

    body = _client(desk.clerk).get(f"{API}/rules/explain", {"library": FK, "category": "child", "item_type": "book"})

    assert [rule["id"] for rule in body.json()["candidates"]] == [desk.network_rule.pk]
    assert body.json()["rule"]["library"] is None


@pytest.mark.parametrize(
    ("params", "status", "code", "field"),
    [
        ({"category": "alien"}, 422, "invalid_input", "category"),
        ({"item_type": "scroll"}, 422, "invalid_input", "item_type"),
        ({"library": "NOWHERE"}, 422, "invalid_input", "library"),
    ],
)
def test_explain_refuses_unknown_codes_by_name(desk, params, status, code, field):
    query = {"library": KP, "category": "adult", "item_type": "book", **params}
    _refused(_client(desk.clerk).get(f"{API}/rules/explain", query), status, code, field)


def test_explain_says_when_no_rule_applies(desk):
    desk.network_rule.delete()

    response = _client(desk.clerk).get(
        f"{API}/rules/explain", {"library": KP, "category": "adult", "item_type": "book"}
    )

    _refused(response, 409, "no_rule_applies", None)


def test_a_desk_without_the_permission_learns_nothing_about_readers(desk, fk_desk):
    # a clerk acting at a library where they may not lend gets the same refusal for a known and an unknown card
    item = desk.item()
    known = desk.reader()
    body = {"record_id": item.record_id, "pickup_library": KP}

    for card in (known.card_number, "P0000000"):
        _refused(_post(_client(fk_desk), "/holds", {**body, "card": card}), 403, "permission_denied", None)
    assert not Hold.objects.exists()
