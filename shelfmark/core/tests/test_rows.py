"""core.rows reads the same instances the ORM does, defers what it is told to, and locks on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shelfmark.core import rows
from shelfmark.core.events import record
from shelfmark.core.models import AuditEvent
from shelfmark.libraries.tests.factories import make_network
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db


def _fields(instance: Model) -> dict[str, object]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_row_read_by_hand_equals_the_orms_instance_field_for_field():
    # given a reader with a date, a time, a decimal, booleans and counters set
    net = make_network()
    patron = make_patron(library=net.county, card_number="ROWS-1", home_delivery=True)
    Patron.objects.filter(pk=patron.pk).update(
        fines_owed=Decimal("12.50"), pin_locked_until=timezone.now() + timedelta(minutes=5), on_time_returns=7
    )

    found = rows.select_one(Patron, "card_number = %s", ["ROWS-1"])

    assert found is not None
    assert _fields(found) == _fields(Patron.objects.get(pk=patron.pk))
    assert isinstance(found.fines_owed, Decimal) and found.fines_owed == Decimal("12.50")
    assert found.home_delivery is True
    assert found._state.adding is False and found._state.db == "default"


def test_json_fields_come_back_as_python_values():
    record("rows.test", actor=None, data={"书名": "红楼梦", "n": [1, 2]})

    event = rows.select_one(AuditEvent, "kind = %s", ["rows.test"])

    assert event is not None
    assert event.data == {"书名": "红楼梦", "n": [1, 2]}


def test_deferred_fields_are_not_read_until_asked_for():
    net = make_network()
    patron = make_patron(library=net.county, card_number="ROWS-2", address="沈阳市和平区")

    with CaptureQueriesContext(connection) as first:
        found = rows.select_one(Patron, "id = %s", [patron.pk], defer=("address",))
    assert found is not None
    assert '"address"' not in first.captured_queries[0]["sql"]
    with CaptureQueriesContext(connection) as later:
        assert found.address == "沈阳市和平区"
    assert len(later.captured_queries) == 1


def test_no_match_gives_none_and_several_come_in_the_order_asked():
    net = make_network()
    for n in (3, 1, 2):
        make_patron(library=net.county, card_number=f"ROWS-O{n}")

    assert rows.select_one(Patron, "card_number = %s", ["NOBODY"]) is None
    ordered = rows.select(Patron, "card_number LIKE %s", ["ROWS-O%"], order_by="card_number DESC", limit=2)
    assert [p.card_number for p in ordered] == ["ROWS-O3", "ROWS-O2"]


def test_a_locking_read_says_for_update_where_the_database_has_row_locks():
    net = make_network()
    patron = make_patron(library=net.county, card_number="ROWS-L")

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        rows.select_one(Patron, "id = %s", [patron.pk], lock=True)

    sql = next(q["sql"] for q in queries.captured_queries if "patrons_patron" in q["sql"])
    assert sql.endswith("FOR UPDATE") == connection.features.has_select_for_update


def test_an_insert_by_hand_stores_what_create_would_and_sets_the_key():
    # given an audit event with JSON data and no primary key yet
    event = AuditEvent(
        kind="rows.insert", object_type="x", object_id="1", data={"书名": "红楼梦"}, created_at=timezone.now()
    )

    stored = rows.insert(event)

    assert stored is event and event.pk is not None and event._state.adding is False
    again = AuditEvent.objects.get(pk=event.pk)
    assert _fields(again) == _fields(event)


def test_an_update_by_hand_writes_only_the_named_fields():
    net = make_network()
    patron = make_patron(library=net.county, card_number="ROWS-U", phone="024-1")
    Patron.objects.filter(pk=patron.pk).update(phone="024-2")  # someone else changed the phone meanwhile
    patron.name, patron.phone = "新名字", "never written"

    rows.update(patron, ["name"])

    stored = Patron.objects.get(pk=patron.pk)
    assert (stored.name, stored.phone) == ("新名字", "024-2")


def test_an_insert_unless_taken_tells_whether_it_inserted_and_leaves_the_first_row():
    net = make_network()
    first = make_patron(library=net.county, card_number="ROWS-T")
    second = Patron(
        card_number="ROWS-T",
        name="另一位",
        home_library=net.county,
        expires_on=first.expires_on,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )
    fresh = Patron(
        card_number="ROWS-T2",
        name="新读者",
        home_library=net.county,
        expires_on=first.expires_on,
        created_at=timezone.now(),
        updated_at=timezone.now(),
    )

    with transaction.atomic():
        taken = rows.insert_unless_taken(second, unique="card_number")
        made = rows.insert_unless_taken(fresh, unique="card_number")

    assert (taken, second.pk) == (False, None)
    assert made is True and fresh.pk is not None
    assert Patron.objects.get(card_number="ROWS-T").name == first.name
    assert Patron.objects.get(pk=fresh.pk).name == "新读者"
