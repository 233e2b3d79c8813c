"""The ISO 18626 endpoint: a good request is taken, every bad message gets the standard ERROR confirmation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from shelfmark.ill import iso18626
from shelfmark.ill.models import Partner, Request, Status
from shelfmark.ill.tests.factories import Alliance

pytestmark = pytest.mark.django_db

NS = {"ill": iso18626.NS}
DALIAN = iso18626.Agency("ISIL", "CN-DL")
NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def dalian(alliance: Alliance) -> Partner:
    """A partner installation (大连) that borrows from 法库 (LN-SY-FK)."""
    return Partner.objects.create(
        agency_id_type="ISIL", agency_id="CN-DL", name="大连图书馆", endpoint_url="http://dalian.invalid/ill/iso18626"
    )


def _post(body: bytes | str) -> Any:
    response = Client().post("/ill/iso18626", data=body, content_type="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def _answer(root: Any) -> tuple[str, str, str, str]:
    confirmation = root[0]
    return (
        etree.QName(confirmation).localname,
        confirmation.findtext("ill:confirmationHeader/ill:messageStatus", namespaces=NS),
        confirmation.findtext("ill:errorData/ill:errorType", namespaces=NS) or "",
        confirmation.findtext("ill:errorData/ill:errorValue", namespaces=NS) or "",
    )


def _request(alliance: Alliance, request_id: str = "77-1", **kw: Any) -> bytes:
    return iso18626.build_request(
        supplying=iso18626.Agency("ISIL", alliance.lender.code),
        requesting=DALIAN,
        request_id=request_id,
        timestamp=NOW,
        title="东北亚古代交通史",
        isbn=kw.pop("isbn", ""),
        **kw,
    )


def _borrower_says(alliance: Alliance, action: str, request_id: str = "77-1") -> bytes:
    return iso18626.build_requesting_message(
        supplying=iso18626.Agency("ISIL", alliance.lender.code),
        requesting=DALIAN,
        request_id=request_id,
        supplying_request_id="",
        timestamp=NOW,
        action=action,
    )


def test_a_partners_request_is_taken_and_confirmed(alliance: Alliance, dalian: Partner) -> None:
    root = _post(_request(alliance, supplier_record_id=str(alliance.record.pk)))
    assert _answer(root) == ("requestConfirmation", "OK", "", "")
    assert (
        root.findtext("ill:requestConfirmation/ill:confirmationHeader/ill:requestingAgencyRequestId", namespaces=NS)
        == "77-1"
    )
    request = Request.objects.get()
    assert (
        request.requesting_partner_id,
        request.supplying_library_id,
        request.record_id,
        request.peer_request_id,
        request.status,
    ) == (
        dalian.pk,
        alliance.lender.pk,
        alliance.record.pk,
        "77-1",
        Status.REQUESTED,
    )


def test_the_borrower_says_it_received_the_copy(alliance: Alliance, dalian: Partner) -> None:
    _post(_request(alliance, supplier_record_id=str(alliance.record.pk)))
    request = Request.objects.get()
    from shelfmark.ill import services

    services.accept(request=request, actor=alliance.lender_clerk)
    services.ship(request=request, due_on=datetime(2099, 1, 1).date(), actor=alliance.lender_clerk)
    root = _post(_borrower_says(alliance, "Received"))
    assert _answer(root) == ("requestingAgencyMessageConfirmation", "OK", "", "")
    assert root.findtext("ill:requestingAgencyMessageConfirmation/ill:action", namespaces=NS) == "Received"
    assert Request.objects.get().status == Status.RECEIVED


def test_not_xml_is_a_badly_formed_message(alliance: Alliance, dalian: Partner) -> None:
    kind, status, error, value = _answer(_post("this is not <xml"))
    assert (kind, status, error) == ("requestConfirmation", "ERROR", "BadlyFormedMessage")
    assert "not well-formed XML" in value
    assert Request.objects.count() == 0


def test_an_unknown_message_type_is_an_unrecognised_data_element(alliance: Alliance, dalian: Partner) -> None:
    body = f'<ISO18626Message xmlns="{iso18626.NS}"><lendMeMoney/></ISO18626Message>'
    assert _answer(_post(body)) == (
        "requestConfirmation",
        "ERROR",
        "UnrecognisedDataElement",
        "message type lendMeMoney",
    )
    assert Request.objects.count() == 0


def test_a_missing_required_field_is_a_badly_formed_message(alliance: Alliance, dalian: Partner) -> None:
    root = etree.fromstring(_request(alliance))
    header = root.find("ill:request/ill:header", namespaces=NS)
    header.remove(header.find("ill:timestamp", namespaces=NS))
    answer = _answer(_post(etree.tostring(root)))
    assert answer == ("requestConfirmation", "ERROR", "BadlyFormedMessage", "request/header/timestamp is missing")
    assert Request.objects.count() == 0


def test_an_unknown_request_id_is_an_unrecognised_data_value(alliance: Alliance, dalian: Partner) -> None:
    answer = _answer(_post(_borrower_says(alliance, "Received", request_id="999-1")))
    assert answer == (
        "requestingAgencyMessageConfirmation",
        "ERROR",
        "UnrecognisedDataValue",
        "requestingAgencyRequestId 999-1 is not known here",
    )


def test_an_unknown_partner_is_an_unrecognised_data_value(alliance: Alliance, dalian: Partner) -> None:
    body = iso18626.build_request(
        supplying=iso18626.Agency("ISIL", alliance.lender.code),
        requesting=iso18626.Agency("ISIL", "CN-XX"),
        request_id="1-1",
        timestamp=NOW,
        title="书",
    )
    kind, status, error, value = _answer(_post(body))
    assert (kind, status, error, value) == (
        "requestConfirmation",
        "ERROR",
        "UnrecognisedDataValue",
        "requestingAgencyId ISIL:CN-XX is not a partner of this installation",
    )
    assert Request.objects.count() == 0


@pytest.mark.parametrize("action", ["Renew", "BorrowForever"])
def test_an_unsupported_action_is_an_unsupported_action_type(alliance: Alliance, dalian: Partner, action: str) -> None:
    _post(_request(alliance, supplier_record_id=str(alliance.record.pk)))
    answer = _answer(_post(_borrower_says(alliance, action)))
    assert answer == ("requestingAgencyMessageConfirmation", "ERROR", "UnsupportedActionType", f"action {action}")
    assert Request.objects.get().status == Status.REQUESTED


def test_an_unknown_reason_for_message_is_an_unsupported_reason_for_message_type(
    alliance: Alliance, dalian: Partner
) -> None:
    body = iso18626.build_supplying_message(
        supplying=DALIAN,
        requesting=iso18626.Agency("ISIL", alliance.borrower.code),
        request_id="1-1",
        supplying_request_id="5",
        timestamp=NOW,
        reason="Gossip",
        status="Loaned",
    )
    answer = _answer(_post(body))
    assert answer == (
        "supplyingAgencyMessageConfirmation",
        "ERROR",
        "UnsupportedReasonForMessageType",
        "reasonForMessage Gossip",
    )


def test_a_step_out_of_order_is_an_unrecognised_data_value_and_changes_nothing(
    alliance: Alliance, dalian: Partner
) -> None:
    _post(_request(alliance, supplier_record_id=str(alliance.record.pk)))
    kind, status, error, value = _answer(_post(_borrower_says(alliance, "ShippedReturn")))
    assert (kind, status, error) == ("requestingAgencyMessageConfirmation", "ERROR", "UnrecognisedDataValue")
    assert value == "action ShippedReturn: request 77-1 is requested"
    assert Request.objects.get().status == Status.REQUESTED


def test_a_wrong_security_code_is_refused(alliance: Alliance, dalian: Partner) -> None:
    dalian.security_code = "s3cret"
    dalian.save()
    answer = _answer(_post(_request(alliance, security_code="guess")))
    assert answer[1:] == (
        "ERROR",
        "UnrecognisedDataValue",
        "requestingAgencyAuthentication/securityCode does not match",
    )
    assert Request.objects.count() == 0


def test_get_is_not_allowed() -> None:
    assert Client().get("/ill/iso18626").status_code == 405
