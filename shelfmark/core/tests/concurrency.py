"""Run callables at the same instant on their own database connections, for the PostgreSQL race tests."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

# available_apps makes the flush after the test TRUNCATE ... CASCADE, past the catalogue's raw-SQL search table.
RACE_TEST_MARKS = [
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"),
]


def run_together(works: Sequence[Any]) -> list[object]:
    """Start every callable at the same instant on its own connection; return each result or exception."""
    barrier = threading.Barrier(len(works))
    results: list[object] = [None] * len(works)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            results[n] = works[n]()
        except BaseException as exc:
            results[n] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
