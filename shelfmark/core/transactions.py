"""Transactions a service joins rather than nests: no savepoint round trips on the circulation hot path."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from django.db import transaction

P = ParamSpec("P")
R = TypeVar("R")


def joins_transaction(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` in the caller's transaction when there is one, else in a transaction of its own.

    For services that check everything before their first write: a refusal raised inside leaves the
    caller's transaction usable (unlike atomic(savepoint=False), which marks it for rollback), and a
    database error still aborts the caller's whole transaction, so nothing is half-written either way.
    """

    @wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if transaction.get_connection().in_atomic_block:
            return func(*args, **kwargs)
        with transaction.atomic():
            return func(*args, **kwargs)

    return run
