"""When scheduled harvests fall due."""

from __future__ import annotations

from datetime import UTC, datetime, time

from shelfmark.union_catalog import rules

NOW = datetime(2026, 11, 26, 2, 40, tzinfo=UTC)  # a Thursday


def test_a_daily_harvest_is_due_once_its_time_has_passed_since_the_last_start():
    assert rules.is_due("daily", time(2, 30), None, last_started=None, now=NOW)
    assert rules.is_due("daily", time(2, 30), None, last_started=datetime(2026, 11, 25, 2, 30, tzinfo=UTC), now=NOW)
    assert not rules.is_due("daily", time(2, 30), None, last_started=datetime(2026, 11, 26, 2, 31, tzinfo=UTC), now=NOW)
    assert not rules.is_due("daily", time(3, 0), None, last_started=datetime(2026, 11, 25, 3, 1, tzinfo=UTC), now=NOW)


def test_a_weekly_harvest_waits_for_its_weekday_and_manual_ones_never_fall_due():
    assert rules.last_slot("weekly", time(1, 0), 0, NOW) == datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    assert rules.last_slot("weekly", time(3, 0), 3, NOW) == datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
    assert not rules.is_due("weekly", time(1, 0), 0, last_started=datetime(2026, 11, 23, 9, 0, tzinfo=UTC), now=NOW)
    assert not rules.is_due("manual", time(1, 0), None, last_started=None, now=NOW)
    assert not rules.is_due("weekly", time(1, 0), None, last_started=None, now=NOW)
