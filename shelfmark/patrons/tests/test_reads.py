"""Reads on the desk's hot path keep their query count; the admin's reader page is audited like any staff read."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from shelfmark.core.models import AuditEvent
from shelfmark.patrons import selectors, services
from shelfmark.patrons.pseudonym import reader_key
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db


def test_find_by_card_and_blocks_take_one_query_each(net, policy_cache, django_assert_num_queries):
    patron = make_patron(library=net.county, card_number="HOT-1")
    services.add_block(patron=patron, reason="测试", actor=None)
    selectors.find_patron_by_card("HOT-1")  # the network tree is remembered from here on

    with django_assert_num_queries(1):
        found = selectors.find_patron_by_card("HOT-1")
        assert found.home_library.code == "LN-SY-KP"  # from the remembered tree, no second query
    with django_assert_num_queries(1):
        assert [b.kind for b in selectors.blocks(found)] == ["manual"]
    with django_assert_num_queries(0):
        assert selectors.standing(found).tier == "fair"


def test_opening_a_reader_in_the_admin_is_audited(net, staff):
    patron = make_patron(library=net.county)
    client = Client()
    client.force_login(staff.superuser)

    response = client.get(f"/admin/patrons/patron/{patron.pk}/change/")

    assert response.status_code == 200
    assert "pin_hash" not in response.content.decode()
    event = AuditEvent.objects.latest("id")
    assert (event.kind, event.actor, event.object_id, event.data) == (
        "patron.viewed",
        staff.superuser,
        str(patron.pk),
        {"via": "admin"},
    )


def test_reader_keys_are_stable_distinct_and_keyed(net):
    first, second = make_patron(library=net.county), make_patron(library=net.county)
    key = reader_key(first)

    assert key == reader_key(first.pk) == reader_key(type(first).objects.get(pk=first.pk))
    assert key != reader_key(second)
    assert len(key) == 32 and int(key, 16) >= 0
    with override_settings(SECRET_KEY="another-key-" * 5):
        assert reader_key(first) != key  # not computable without the installation's key
