"""Background jobs that start only after the enqueuing transaction commits."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Schedule a Huey task to run once the current transaction has committed."""
    transaction.on_commit(lambda: task(*args, **kwargs))
