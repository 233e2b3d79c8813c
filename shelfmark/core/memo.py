"""A small time-bounded memo for reference data read on every request (rules, calendars), shared by threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from django.conf import settings

T = TypeVar("T")

_ALL: list[TimedMemo[Any]] = []


class TimedMemo(Generic[T]):
    """Remember computed values for SHELFMARK_POLICY_CACHE_SECONDS; 0 turns it off (tests read fresh)."""

    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()
        self._max = max_entries
        _ALL.append(self)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return the remembered value for `key` while fresh, else compute, remember and return it."""
        ttl = float(getattr(settings, "SHELFMARK_POLICY_CACHE_SECONDS", 0))
        if ttl <= 0:
            return compute()
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (now + ttl, value)
        return value

    def clear(self) -> None:
        """Forget everything, e.g. after an edit that must apply at once."""
        with self._lock:
            self._entries.clear()


def clear_all() -> None:
    """Forget every memo's values (tests that turn the policy cache on start and end with this)."""
    for memo in _ALL:
        memo.clear()
