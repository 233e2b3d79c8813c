"""Demo reading promotion: Kangping's new arrivals and two published lists, added once, shown to readers."""

from __future__ import annotations

import json

import pytest

from shelfmark.booklists.models import BookList, BookListEntry
from shelfmark.core.models import AuditEvent
from shelfmark.demo.booklists import ARRIVALS_MARK, CHILDREN_TITLE, STAFF_PICK_TITLE
from shelfmark.demo.tests.conftest import run_demo
from shelfmark.holdings.models import Item

pytestmark = pytest.mark.django_db


def test_the_demo_adds_new_arrivals_and_publishes_a_staff_pick_and_a_childrens_list_once(client):
    # given the demo loaded once
    first = json.loads(run_demo("--json"))["booklists"]
    rows = (Item.objects.count(), BookList.objects.count(), BookListEntry.objects.count())
    # when it runs again, then nothing is added
    second = json.loads(run_demo("--json"))["booklists"]
    assert (Item.objects.count(), BookList.objects.count(), BookListEntry.objects.count()) == rows
    assert second["lists"] == first["lists"] and (first["new_arrivals_added"], second["new_arrivals_added"]) == (12, 0)
    assert AuditEvent.objects.filter(kind=ARRIVALS_MARK).count() == 1

    # and both lists are published by the demo librarians of their libraries
    staff_pick, children = BookList.objects.get(title=STAFF_PICK_TITLE), BookList.objects.get(title=CHILDREN_TITLE)
    assert (
        staff_pick.kind,
        staff_pick.library.code,
        getattr(staff_pick.created_by, "username", None),
        staff_pick.is_published,
    ) == (
        "staff_pick",
        "LN-SY",
        "desk",
        True,
    )
    assert (
        children.age_band,
        children.library.code,
        getattr(children.created_by, "username", None),
        children.is_published,
    ) == (
        "7-9",
        "LN-SY-KP",
        "kangping",
        True,
    )
    assert staff_pick.entries.count() >= 3 and children.entries.count() >= 1

    # and readers find them, and Kangping's arrivals are new to Kangping but not to the network
    lists = client.get("/lists/").content.decode()
    assert STAFF_PICK_TITLE in lists and CHILDREN_TITLE in lists
    arrived = AuditEvent.objects.get(kind=ARRIVALS_MARK).data["records"]
    kangping = client.get("/new/", {"library": "LN-SY-KP"}).content.decode()
    network = client.get("/new/").content.decode()
    assert sum(f'href="/records/{pk}/"' in kangping for pk in arrived) == 11  # the twelfth came 34 days ago
    assert not any(f'href="/records/{pk}/"' in network for pk in arrived)
    kids = client.get("/children/7-9/").content.decode()
    assert all(f'href="/records/{entry.record_id}/"' in kids for entry in children.entries.all())
