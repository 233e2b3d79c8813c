"""Circulation API, loans: check out, check in with its slip, renew, lost, claims returned; typed refusals that
change nothing, permissions at the desk's library, idempotent retries through the Idempotency-Key header."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation import services
from shelfmark.circulation.models import CirculationEvent, Hold, IdempotencyKey, Loan, Transit
from shelfmark.core.models import AuditEvent
from shelfmark.fines.models import Charge
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.patrons import services as patron_services

pytestmark = pytest.mark.django_db
API = "/api/v1/circulation"
KP, FK, CITY = "LN-SY-KP", "LN-SY-FK", "LN-SY"


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _post(client: Client, path: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(f"{API}{path}", body, content_type="application/json", headers=headers)


def _state() -> tuple[Any, ...]:
    """Everything a circulation act may change, to prove a refusal changed nothing."""
    return (
        list(Loan.objects.order_by("id").values()),
        list(Item.objects.order_by("id").values("id", "status", "current_library_id")),
        list(Hold.objects.order_by("id").values()),
        list(Transit.objects.order_by("id").values()),
        CirculationEvent.objects.count(),
        list(Charge.objects.order_by("id").values("id", "amount")),
    )


@pytest.fixture
def fk_desk(desk):
    """A circulation clerk of the other county only: may not act at 康平 (LN-SY-KP)."""
    return accounts.create_staff(
        username="fk-clerk", password="pw-123456", library=desk.net.other_county, roles=[Role.CIRCULATION]
    )


# ------------------------------------------------------------------------------------------- check out


def test_check_out_by_barcode_and_card_lends_the_item_at_the_desk_library(desk):
    reader, item = desk.reader(), desk.item()

    response = _post(
        _client(desk.clerk), "/checkouts", {"item": item.barcode, "card": reader.card_number, "library": KP}
    )

    assert response.status_code == 201
    body = response.json()
    loan = Loan.objects.get()
    assert (body["id"], body["patron_id"], body["library"], body["status"]) == (loan.pk, reader.pk, KP, "active")
    assert body["due_on"] == loan.due_on.isoformat()
    assert (body["renewals"], body["max_renewals"], body["override_reason"]) == (0, 1, "")
    assert body["item"] == {
        "id": item.pk,
        "barcode": item.barcode,
        "qr_code": item.qr_code,
        "title": "辽宁地方志研究",
        "call_number": item.call_number,
        "status": "on_loan",
        "home_library": KP,
        "current_library": KP,
    }
    item.refresh_from_db()
    assert item.status == ItemStatus.ON_LOAN


def test_check_out_finds_the_item_by_its_qr_url_and_the_reader_by_id(desk):
    reader, item = desk.reader(), desk.item()

    response = _post(
        _client(desk.clerk),
        "/checkouts",
        {"item": f"https://lib.example.cn/i/{item.qr_code.lower()}\r\n", "patron_id": reader.pk, "library": KP},
    )

    assert response.status_code == 201
    assert (response.json()["item"]["id"], Loan.objects.get().patron) == (item.pk, reader)


def _refused(response: Any, status: int, code: str, field: str | None) -> dict[str, Any]:
    body = response.json()
    assert response.status_code == status, body
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    return body


def test_an_item_already_on_loan_is_refused_with_its_code_and_nothing_changes(desk):
    item, first, second = desk.item(), desk.reader(), desk.reader()
    client = _client(desk.clerk)
    _post(client, "/checkouts", {"item": item.barcode, "card": first.card_number, "library": KP})
    before = _state()

    response = _post(client, "/checkouts", {"item": item.barcode, "card": second.card_number, "library": KP})

    body = _refused(response, 409, "item_already_on_loan", None)
    assert item.barcode in body["message"]
    assert _state() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"item": "NO-SUCH-CODE"}, 404, "item_not_found", "item"),
        ({"card": "P9999999"}, 404, "patron_not_found", "card"),
        ({"card": None, "patron_id": 999999}, 404, "patron_not_found", "patron_id"),
        ({"library": "NOWHERE"}, 422, "invalid_input", "library"),
        ({"item": ""}, 422, "invalid_input", "item"),
        ({"patron_id": 1}, 422, "invalid_input", None),  # card and patron_id both given
    ],
)
def test_unknown_or_malformed_input_names_the_field_and_nothing_changes(desk, body, status, code, field):
    reader, item = desk.reader(), desk.item()
    before = _state()

    request = {"item": item.barcode, "card": reader.card_number, "library": KP, **body}
    response = _post(_client(desk.clerk), "/checkouts", {k: v for k, v in request.items() if v is not None})

    _refused(response, status, code, field)
    assert _state() == before


def test_a_blocked_reader_is_refused_and_staff_may_override_with_a_reason(desk):
    reader, item = desk.reader(), desk.item()
    patron_services.add_block(patron=reader, reason="损坏图书未赔偿", actor=None)
    client = _client(desk.clerk)
    before = _state()

    refused = _post(client, "/checkouts", {"item": item.barcode, "card": reader.card_number, "library": KP})

    assert "损坏图书未赔偿" in _refused(refused, 409, "patron_blocked", None)["message"]
    assert _state() == before

    overridden = _post(
        client,
        "/checkouts",
        {"item": item.barcode, "card": reader.card_number, "library": KP, "override_reason": "馆长同意"},
    )
    assert overridden.status_code == 201
    assert overridden.json()["override_reason"] == "馆长同意"


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("anonymous", 401, "not_authenticated"), ("viewer", 403, "permission_denied"), ("fk", 403, "permission_denied")],
)
def test_only_circulation_staff_of_the_desk_library_may_check_out(desk, fk_desk, who, status, code):
    reader, item = desk.reader(), desk.item()
    user = {"anonymous": None, "viewer": desk.viewer, "fk": fk_desk}[who]
    before = _state()

    response = _post(_client(user), "/checkouts", {"item": item.barcode, "card": reader.card_number, "library": KP})

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert _state() == before
    # the other county's clerk lends at their own desk, where the item was returned to
    if who == "fk":
        lent = _post(_client(fk_desk), "/checkouts", {"item": item.barcode, "card": reader.card_number, "library": FK})
        assert (lent.status_code, lent.json()["library"]) == (201, FK)


def test_a_write_without_the_csrf_token_is_refused(desk):
    reader, item = desk.reader(), desk.item()
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.clerk)

    response = _post(client, "/checkouts", {"item": item.barcode, "card": reader.card_number, "library": KP})

    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert not Loan.objects.exists()


# ------------------------------------------------------------------------------------------ idempotency


def test_a_retried_check_out_with_the_same_key_answers_the_same_loan_once(desk):
    reader, item = desk.reader(), desk.item()
    client = _client(desk.clerk)
    body = {"item": item.barcode, "card": reader.card_number, "library": KP}

    first = _post(client, "/checkouts", body, **{"Idempotency-Key": "kiosk-7-000123"})
    retry = _post(client, "/checkouts", body, **{"Idempotency-Key": "kiosk-7-000123"})

    assert (first.status_code, retry.status_code) == (201, 201)
    assert first.json() == retry.json()
    assert Loan.objects.count() == 1
    assert CirculationEvent.objects.filter(kind="check_out").count() == 1
    assert AuditEvent.objects.filter(kind="loan.created").count() == 1


def test_a_key_reused_for_another_request_is_refused_and_nothing_changes(desk):
    reader, item, other = desk.reader(), desk.item(), desk.item()
    client = _client(desk.clerk)
    _post(
        client,
        "/checkouts",
        {"item": item.barcode, "card": reader.card_number, "library": KP},
        **{"Idempotency-Key": "k1"},
    )
    before = _state()

    response = _post(
        client,
        "/checkouts",
        {"item": other.barcode, "card": reader.card_number, "library": KP},
        **{"Idempotency-Key": "k1"},
    )

    _refused(response, 409, "idempotency_key_reused", "idempotency_key")
    assert _state() == before


def test_keys_belong_to_the_login_that_sent_them(desk):
    # given another desk login that happens to use the same key
    other_clerk = accounts.create_staff(
        username="clerk2", password="pw-123456", library=desk.net.city, roles=[Role.CIRCULATION]
    )
    reader, first, second = desk.reader(), desk.item(), desk.item()
    _post(
        _client(desk.clerk),
        "/checkouts",
        {"item": first.barcode, "card": reader.card_number, "library": KP},
        **{"Idempotency-Key": "1"},
    )

    response = _post(
        _client(other_clerk),
        "/checkouts",
        {"item": second.barcode, "card": reader.card_number, "library": KP},
        **{"Idempotency-Key": "1"},
    )

    assert response.status_code == 201
    assert response.json()["item"]["id"] == second.pk
    assert IdempotencyKey.objects.count() == 2


def test_a_refused_request_leaves_its_key_free_for_the_retry_that_succeeds(desk):
    reader, item = desk.reader(), desk.item()
    block = patron_services.add_block(patron=reader, reason="证件待核实", actor=None)
    client = _client(desk.clerk)
    body = {"item": item.barcode, "card": reader.card_number, "library": KP}
    _refused(_post(client, "/checkouts", body, **{"Idempotency-Key": "k9"}), 409, "patron_blocked", None)
    patron_services.lift_block(block=block, actor=None)

    response = _post(client, "/checkouts", body, **{"Idempotency-Key": "k9"})

    assert response.status_code == 201
    assert Loan.objects.count() == 1


def test_an_overlong_key_is_refused_before_anything_happens(desk):
    reader, item = desk.reader(), desk.item()

    response = _post(
        _client(desk.clerk),
        "/checkouts",
        {"item": item.barcode, "card": reader.card_number, "library": KP},
        **{"Idempotency-Key": "x" * 65},
    )

    _refused(response, 422, "invalid_input", "Idempotency-Key")
    assert not Loan.objects.exists()


# -------------------------------------------------------------------------------------------- check in


def _lend(desk, item, reader=None, library=KP) -> int:
    reader = reader or desk.reader()
    response = _post(
        _client(desk.clerk), "/checkouts", {"item": item.barcode, "card": reader.card_number, "library": library}
    )
    assert response.status_code == 201
    return response.json()["id"]


def test_a_return_at_home_shelves_the_item_with_no_slip(desk):
    item = desk.item()
    loan_id = _lend(desk, item)

    response = _post(_client(desk.clerk), "/checkins", {"item": item.qr_code, "library": KP})

    assert response.status_code == 200
    body = response.json()
    assert (body["alert"], body["destination"], body["hold"], body["transit"], body["fine"]) == (
        "",
        None,
        None,
        None,
        "0.00",
    )
    assert (body["loan"]["id"], body["loan"]["status"], body["loan"]["patron_id"]) == (loan_id, "returned", None)
    assert (body["item"]["status"], body["item"]["current_library"]) == ("available", KP)


def test_a_return_elsewhere_answers_the_transit_slip_home(desk):
    item = desk.item()
    _lend(desk, item)

    response = _post(_client(desk.clerk), "/checkins", {"item": item.barcode, "library": FK})

    body = response.json()
    assert response.status_code == 200
    assert (body["alert"], body["destination"], body["destination_name"], body["hold_pickup"]) == (
        "transit",
        KP,
        "康平县图书馆",
        None,
    )
    transit = Transit.objects.get()
    assert body["transit"] == {
        "id": transit.pk,
        "item": item.barcode,
        "title": "辽宁地方志研究",
        "from_library": FK,
        "to_library": KP,
        "to_library_name": "康平县图书馆",
        "reason": "return_home",
        "hold_id": None,
        "sent_at": body["transit"]["sent_at"],
    }
    assert (body["item"]["status"], body["item"]["current_library"]) == ("in_transit", FK)


def test_a_return_for_a_booking_elsewhere_says_where_the_reader_collects_it(desk):
    item = desk.item()
    _lend(desk, item)
    booker = desk.reader()
    hold = services.place_hold(patron=booker, record=item.record, pickup_library=desk.net.city, actor=desk.clerk)
    client = _client(desk.clerk)

    sent = _post(client, "/checkins", {"item": item.barcode, "library": KP}).json()
    arrived = _post(client, "/checkins", {"item": item.barcode, "library": CITY}).json()

    assert (sent["alert"], sent["destination"], sent["hold_pickup"], sent["hold"]["id"]) == (
        "hold_transit",
        CITY,
        CITY,
        hold.pk,
    )
    assert sent["hold"]["status"] == "in_transit"
    assert (arrived["alert"], arrived["destination"], arrived["hold"]["status"]) == ("hold", None, "ready")
    assert arrived["hold"]["trapped_item"] == item.barcode


def test_a_retried_check_in_with_the_same_key_answers_the_first_slip(desk):
    item = desk.item()
    _lend(desk, item)
    client = _client(desk.clerk)

    first = _post(client, "/checkins", {"item": item.barcode, "library": FK}, **{"Idempotency-Key": "return-1"})
    retry = _post(client, "/checkins", {"item": item.barcode, "library": FK}, **{"Idempotency-Key": "return-1"})

    assert first.json() == retry.json()
    assert CirculationEvent.objects.filter(kind="check_in").count() == 1
    assert Transit.objects.count() == 1


def test_check_in_needs_circulation_at_the_returning_library(desk, fk_desk):
    item = desk.item()
    _lend(desk, item)
    before = _state()

    response = _post(_client(fk_desk), "/checkins", {"item": item.barcode, "library": KP})

    _refused(response, 403, "permission_denied", None)
    assert _state() == before


# ------------------------------------------------------------------------------------------- query counts


def test_check_out_and_check_in_through_the_api_take_a_fixed_number_of_queries(
    desk, policy_cache, django_assert_num_queries
):
    # given a warmed-up client (the first request of a login also touches the session table) and the production
    # policy cache, which remembers the network tree, the rules and the calendars
    client = _client(desk.clerk)
    _lend(desk, desk.item())
    reader, item = desk.reader(), desk.item()
    body = {"item": item.barcode, "card": reader.card_number, "library": KP}

    # session, user, grants, item, its record, reader; then in the transaction item and reader locks, one count of
    # loans, overdues, blocks and the reader's bookings, loan, item status (update, history), event, audit
    # (+2 savepoints of the test transaction)
    with django_assert_num_queries(16):
        assert _post(client, "/checkouts", body).status_code == 201

    # session, user, grants, item, its record; then item lock, loan lock, its reader, credit counter, loan update,
    # event, audit, transit lookup, hold queue, shelved (update, history) (+2 savepoints of the test transaction)
    with django_assert_num_queries(18):
        assert _post(client, "/checkins", {"item": item.barcode, "library": KP}).status_code == 200


# ----------------------------------------------------------------------------------------------- renew


def test_renew_extends_the_loan_and_a_retry_with_the_key_renews_once(desk):
    item = desk.item()
    loan_id = _lend(desk, item)
    Loan.objects.filter(pk=loan_id).update(due_on="2026-01-05")
    client = _client(desk.clerk)

    first = _post(client, f"/loans/{loan_id}/renew", {}, **{"Idempotency-Key": "renew-1"})
    retry = _post(client, f"/loans/{loan_id}/renew", {}, **{"Idempotency-Key": "renew-1"})

    assert first.status_code == 200
    assert (first.json()["renewals"], first.json()["due_on"] > "2026-01-05") == (1, True)
    assert retry.json() == first.json()
    assert Loan.objects.get().renewals == 1
    assert first.json()["item"]["title"] == "辽宁地方志研究"


def test_renewal_is_refused_while_others_wait_and_nothing_changes(desk):
    item = desk.item()
    loan_id = _lend(desk, item)
    services.place_hold(patron=desk.reader(), record=item.record, pickup_library=desk.net.county, actor=desk.clerk)
    before = _state()

    response = _post(_client(desk.clerk), f"/loans/{loan_id}/renew", {})

    _refused(response, 409, "renewal_refused_holds_waiting", None)
    assert _state() == before


def test_renewal_past_the_limit_is_refused(desk):
    loan_id = _lend(desk, desk.item())
    Loan.objects.filter(pk=loan_id).update(renewals=1)
    before = _state()

    response = _post(_client(desk.clerk), f"/loans/{loan_id}/renew", {"library": FK})

    _refused(response, 409, "renewal_limit_reached", None)
    assert _state() == before


def test_renewing_an_unknown_loan_names_it(desk):
    _refused(_post(_client(desk.clerk), "/loans/4242/renew", {}), 404, "loan_not_found", "loan_id")


def test_renewal_needs_circulation_at_the_desk(desk, fk_desk):
    loan_id = _lend(desk, desk.item())
    before = _state()

    response = _post(_client(fk_desk), f"/loans/{loan_id}/renew", {})  # the lending library is 康平

    _refused(response, 403, "permission_denied", None)
    assert _state() == before
    assert _post(_client(fk_desk), f"/loans/{loan_id}/renew", {"library": FK}).status_code == 200


# ---------------------------------------------------------------------------------- lost, claims returned


def test_a_lost_loan_charges_the_reader_and_marks_the_copy_lost(desk):
    reader, item = desk.reader(), desk.item()
    loan_id = _lend(desk, item, reader)

    response = _post(_client(desk.clerk), f"/loans/{loan_id}/lost", {})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["item"]["status"]) == ("lost", "lost")
    charge = Charge.objects.get()
    assert (charge.patron, charge.kind, charge.amount) == (reader, "lost", Decimal("45.00"))  # 40.00 + 5.00 fee


def test_a_claim_of_return_stops_the_loan_and_marks_the_copy_missing(desk):
    item = desk.item()
    loan_id = _lend(desk, item)

    response = _post(_client(desk.clerk), f"/loans/{loan_id}/claim-returned", {"library": KP})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["item"]["status"]) == ("claimed_returned", "missing")
    assert not Charge.objects.exists()


def test_a_loan_no_longer_active_cannot_be_lost_or_claimed_and_nothing_changes(desk):
    item = desk.item()
    loan_id = _lend(desk, item)
    _post(_client(desk.clerk), "/checkins", {"item": item.barcode, "library": KP})
    before = _state()

    lost = _post(_client(desk.clerk), f"/loans/{loan_id}/lost", {})
    claimed = _post(_client(desk.clerk), f"/loans/{loan_id}/claim-returned", {})

    _refused(lost, 404, "loan_not_found", None)
    _refused(claimed, 404, "loan_not_found", None)
    assert _state() == before


def test_the_openapi_document_declares_the_idempotency_key_on_retryable_acts(desk):
    paths = _client().get("/api/v1/openapi.json").json()["paths"]

    for path in (f"{API}/checkouts", f"{API}/checkins", f"{API}/loans/{{loan_id}}/renew"):
        names = [p["name"] for p in paths[path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
    assert [p["name"] for p in paths[f"{API}/loans/{{loan_id}}/renew"]["post"]["parameters"]] == [
        "loan_id",
        "Idempotency-Key",
    ]
