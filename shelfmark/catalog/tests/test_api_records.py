"""Catalogue records API: the permission matrix, the MARC view, and the {code, message, field} errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shelfmark.catalog import services
from shelfmark.catalog.models import Record
from shelfmark.catalog.tests.web_fixtures import marc_json
from shelfmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db
RECORDS = "/api/v1/catalog/records"


def _client(who: str, staff) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(staff, who))
    return client


def _snapshot() -> tuple[list[dict[str, Any]], int]:
    """What a refused request must leave untouched: every record row and the audit trail length."""
    return [dict(row) for row in Record.objects.order_by("id").values()], AuditEvent.objects.count()


def _library(net, where: str | None):
    return getattr(net, where) if where else None


# (who, where the record lives or is created, allowed to read, allowed to write)
MATRIX = [
    ("anonymous", "county", False, False),
    ("viewer", "county", True, False),
    ("cataloguer", "township", True, True),
    ("cataloguer", "county", True, True),
    ("cataloguer", "other_county", True, False),
    ("cataloguer", "city", True, False),
    ("cataloguer", None, True, False),
    ("root_cataloguer", None, True, True),
    ("superuser", "other_county", True, True),
    ("superuser", None, True, True),
]


def _refused_status(who: str) -> int:
    return 401 if who == "anonymous" else 403


@pytest.mark.parametrize(("who", "where", "may_read", "may_write"), MATRIX)
def test_read_a_record(who, where, may_read, may_write, net, staff):
    # given a record catalogued at `where`
    record = services.create_record(marc=marc_json(), marc_format="auto", library=_library(net, where), actor=None)

    # when `who` reads it
    response = _client(who, staff).get(f"{RECORDS}/{record.pk}")

    # then
    if may_read:
        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["title"], body["isbn"]) == (record.pk, "辽宁地方志研究", "9787205012342")
        assert body["library"] == (_library(net, where).code if where else None)
    else:
        assert response.status_code == _refused_status(who)
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("who", "where", "may_read", "may_write"), MATRIX)
def test_create_a_record(who, where, may_read, may_write, net, staff):
    # given the catalogue as it is
    before = _snapshot()
    payload = {"marc": marc_json(), "marc_format": "marc21", "library": _library(net, where).code if where else None}

    # when `who` catalogues a record at `where`
    response = _client(who, staff).post(RECORDS, payload, content_type="application/json")

    # then
    if may_write:
        assert response.status_code == 201, response.content
        record = Record.objects.get(pk=response.json()["id"])
        assert (record.title, record.library) == ("辽宁地方志研究", _library(net, where))
    else:
        assert response.status_code == _refused_status(who)
        assert response.json()["code"] in ("not_authenticated", "permission_denied")
        assert _snapshot() == before


@pytest.mark.parametrize(("who", "where", "may_read", "may_write"), MATRIX)
def test_update_a_record(who, where, may_read, may_write, net, staff):
    # given a record catalogued at `where`
    library = _library(net, where)
    record = services.create_record(marc=marc_json(), marc_format="auto", library=library, actor=None)
    before = _snapshot()
    payload = {"marc": marc_json("沈阳故宫"), "marc_format": "marc21", "library": library.code if library else None}

    # when `who` replaces its MARC
    response = _client(who, staff).put(f"{RECORDS}/{record.pk}", payload, content_type="application/json")

    # then
    if may_write:
        assert response.status_code == 200, response.content
        assert response.json()["title"] == "沈阳故宫"
        assert Record.objects.get(pk=record.pk).title == "沈阳故宫"
    else:
        assert response.status_code == _refused_status(who)
        assert _snapshot() == before


@pytest.mark.parametrize(("who", "where", "may_read", "may_write"), MATRIX)
def test_delete_a_record(who, where, may_read, may_write, net, staff):
    # given a record catalogued at `where`
    record = services.create_record(marc=marc_json(), marc_format="auto", library=_library(net, where), actor=None)
    before = _snapshot()

    # when `who` deletes it
    response = _client(who, staff).delete(f"{RECORDS}/{record.pk}")

    # then
    if may_write:
        assert response.status_code == 204
        assert not Record.objects.filter(pk=record.pk).exists()
    else:
        assert response.status_code == _refused_status(who)
        assert _snapshot() == before


def test_a_cataloguer_cannot_move_a_record_out_of_their_subtree(net, staff):
    # given a record of the county
    record = services.create_record(marc=marc_json(), marc_format="auto", library=net.county, actor=None)
    before = _snapshot()
    payload = {"marc": marc_json(), "marc_format": "marc21", "library": net.other_county.code}

    # when its cataloguer tries to hand it to the neighbouring county
    response = _client("cataloguer", staff).put(f"{RECORDS}/{record.pk}", payload, content_type="application/json")

    # then the move is refused, naming where, and nothing changed
    assert response.status_code == 403
    assert response.json() == {
        "code": "permission_denied",
        "message": "Permission catalog.edit is not granted at LN-SY-FK.",
        "field": None,
    }
    assert _snapshot() == before


def test_the_list_is_paged(net, staff):
    # given three records
    for n in range(3):
        services.create_record(
            marc=marc_json(f"书名{n}", isbn="", control_number=f"c{n}"), marc_format="auto", library=None, actor=None
        )

    # when a viewer asks for the second page of two
    response = _client("viewer", staff).get(RECORDS, {"page": 2, "per_page": 2})

    # then one record is left on it
    body = response.json()
    assert (response.status_code, body["total"], body["page"], body["per_page"]) == (200, 3, 2, 2)
    assert [item["title"] for item in body["items"]] == ["书名2"]


def test_the_marc_view_gives_json_and_readable_text(net, staff):
    # given a Chinese record with romanised 245 and the original script in 880
    record = services.create_record(
        marc=marc_json("辽宁地方志研究", romanized="Liaoning di fang zhi yan jiu"),
        marc_format="auto",
        library=net.county,
        actor=None,
    )

    # when a viewer asks for its MARC
    response = _client("viewer", staff).get(f"{RECORDS}/{record.pk}/marc")

    # then both forms come back
    body = response.json()
    assert response.status_code == 200
    assert body["marc"] == record.marc
    lines = body["text"].splitlines()
    assert lines[0] == "LDR " + record.marc["leader"]
    assert "245 10 $6880-01 $aLiaoning di fang zhi yan jiu" in lines
    assert "880 10 $6245-01/$1 $a辽宁地方志研究" in lines


def test_an_unknown_record_is_not_found(staff):
    response = _client("viewer", staff).get(f"{RECORDS}/999999")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No record with id 999999.", "field": "id"}


def test_an_unknown_library_is_named_in_the_error(staff):
    # given the catalogue as it is
    before = _snapshot()

    # when a record is created at a library code that does not exist
    payload = {"marc": marc_json(), "library": "NOPE"}
    response = _client("superuser", staff).post(RECORDS, payload, content_type="application/json")

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "library"
    assert _snapshot() == before


def test_bad_paging_is_a_field_error(staff):
    response = _client("viewer", staff).get(RECORDS, {"per_page": 1000})

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == "per_page"


def test_an_unknown_marc_format_is_a_field_error(staff):
    before = _snapshot()

    payload = {"marc": marc_json(), "marc_format": "ukmarc", "library": None}
    response = _client("superuser", staff).post(RECORDS, payload, content_type="application/json")

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", "marc_format")
    assert _snapshot() == before


def test_writes_need_the_csrf_token(staff):
    # given a logged-in superuser whose client enforces CSRF like a browser
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.superuser)
    before = _snapshot()

    # when a write comes without the token
    response = client.post(RECORDS, {"marc": marc_json()}, content_type="application/json")

    # then it is refused and nothing was written
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert _snapshot() == before


def test_a_logged_in_non_staff_user_is_not_let_in(net):
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user(username="reader", password="pw-123456")
    client = Client()
    client.force_login(reader)

    response = client.get(RECORDS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_page_of_records_costs_the_same_queries_whatever_its_length(net, staff, django_assert_num_queries):
    # given twenty records spread over two libraries (no query per record for its library)
    for n in range(20):
        services.create_record(
            marc=marc_json(f"书名{n}", isbn="", control_number=f"q{n}"),
            marc_format="auto",
            library=net.county if n % 2 else net.township,
            actor=None,
        )
    client = _client("viewer", staff)

    # then session, user, role grants, the page and the count: five queries
    with django_assert_num_queries(5):
        response = client.get(RECORDS, {"per_page": 20})
    assert len(response.json()["items"]) == 20
