"""The time-bounded memo: fresh values are reused, stale ones recomputed, and 0 seconds turns it off."""

from __future__ import annotations

import time

from shelfmark.core.memo import TimedMemo


def test_a_value_is_reused_while_fresh_and_recomputed_after(settings, monkeypatch):
    settings.SHELFMARK_POLICY_CACHE_SECONDS = 60
    memo: TimedMemo[int] = TimedMemo()
    calls: list[int] = []
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert (memo.get("k", compute), memo.get("k", compute)) == (1, 1)
    clock[0] += 61
    assert memo.get("k", compute) == 2
    memo.clear()
    assert memo.get("k", compute) == 3


def test_zero_seconds_reads_fresh_every_time(settings):
    settings.SHELFMARK_POLICY_CACHE_SECONDS = 0
    memo: TimedMemo[int] = TimedMemo()
    values = iter(range(10))

    assert [memo.get("k", lambda: next(values)) for _ in range(3)] == [0, 1, 2]
