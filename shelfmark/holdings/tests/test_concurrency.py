"""Items created at the same moment on many connections still get distinct barcodes (PostgreSQL row locks)."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps
from django.db import connection, connections

from shelfmark.holdings.models import Item
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import make_network

THREADS = 8
EACH = 5

# available_apps makes the flush after the test TRUNCATE ... CASCADE, past the catalogue's raw-SQL search table.
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def test_concurrent_creators_never_share_a_barcode():
    # given one record and one library
    net = make_network()
    record = make_record()
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def create() -> None:
        try:
            start.wait()
            for _ in range(EACH):
                make_item(record, library=net.county)
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            connections.close_all()

    # when eight connections create items at once
    threads = [threading.Thread(target=create) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every item got its own barcode, numbered without gaps
    assert failures == []
    barcodes = sorted(Item.objects.values_list("barcode", flat=True))
    assert len(barcodes) == len(set(barcodes)) == THREADS * EACH
    assert [int(b[2:12]) for b in barcodes] == list(range(1, THREADS * EACH + 1))
