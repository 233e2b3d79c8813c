"""When a scheduled harvest falls due: pure functions, no ORM."""

from __future__ import annotations

from datetime import datetime, time, timedelta

MANUAL, DAILY, WEEKLY = "manual", "daily", "weekly"


def last_slot(schedule: str, at: time | None, weekday: int | None, now: datetime) -> datetime | None:
    """The latest scheduled moment at or before `now` (in now's time zone); None for manual or incomplete ones."""
    if schedule == MANUAL or at is None or (schedule == WEEKLY and weekday is None):
        return None
    slot = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if schedule == DAILY:
        return slot if slot <= now else slot - timedelta(days=1)
    assert weekday is not None
    slot -= timedelta(days=(now.weekday() - weekday) % 7)
    return slot if slot <= now else slot - timedelta(days=7)


def is_due(
    schedule: str, at: time | None, weekday: int | None, *, last_started: datetime | None, now: datetime
) -> bool:
    """Tell whether a source's scheduled harvest should start now: a slot has passed since its last start."""
    slot = last_slot(schedule, at, weekday, now)
    return slot is not None and (last_started is None or last_started < slot)
