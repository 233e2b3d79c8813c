"""PIN guessing from many kiosks at once on PostgreSQL: the lock still falls on the fifth wrong try."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection

from shelfmark.core.models import AuditEvent
from shelfmark.patrons import services
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

# available_apps makes the flush after the test TRUNCATE ... CASCADE, past the catalogue's raw-SQL search table.
pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def test_eight_wrong_pins_at_once_give_four_tries_left_messages_then_the_lock():
    patron = make_patron(pin="1234")
    barrier = threading.Barrier(8)
    results: list[str] = [""] * 8

    def guess(n: int) -> None:
        try:
            barrier.wait()
            services.verify_pin(patron=Patron.objects.get(pk=patron.pk), pin=f"{n:04d}")
            results[n] = "accepted"
        except Exception as exc:
            results[n] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(results) == {"PinIncorrect": 4, "PinLocked": 4}
    row = Patron.objects.get(pk=patron.pk)
    assert row.pin_locked_until is not None and row.failed_pin_attempts == 0
    kinds = Counter(
        AuditEvent.objects.filter(object_id=str(patron.pk), kind__startswith="patron.pin").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"patron.pin_failed": 4, "patron.pin_locked": 1}
