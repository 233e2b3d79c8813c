"""Reads over the network tree and its calendars."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from shelfmark.core.errors import NotFound
from shelfmark.core.memo import TimedMemo
from shelfmark.libraries.models import ClosedDay, Library, OpeningHours

# Every scan at a desk or kiosk names its library: remembered briefly like circulation rules (core.memo).
_BY_CODE: TimedMemo[Library | None] = TimedMemo()
_BY_ID: TimedMemo[Library | None] = TimedMemo()


def get_library(code: str) -> Library:
    """Return the library with this code or raise NotFound naming it."""
    found = _BY_CODE.get(code, lambda: Library.objects.filter(code=code).first())
    if found is None:
        raise NotFound(f"No library with code {code!r}.", field="library")
    return found


def library_by_id(library_id: int) -> Library:
    """Return the library with this id (remembered briefly, as every scanned item names two)."""
    found = _BY_ID.get(library_id, lambda: Library.objects.filter(pk=library_id).first())
    if found is None:
        raise NotFound(f"No library with id {library_id}.", field="library")
    return found


def subtree(library: Library) -> QuerySet[Library]:
    """Return the library and every node below it."""
    return Library.objects.filter(path__startswith=library.path)


def ancestors(library: Library) -> list[Library]:
    """Return the path from the root down to the library itself."""
    ids = [int(part) for part in library.path.strip("/").split("/") if part]
    by_id = Library.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def is_open(library: Library, day: date) -> bool:
    """Tell whether the library opens on `day`: no closed day here or above it, and hours that weekday."""
    ancestor_ids = [int(p) for p in library.path.strip("/").split("/") if p]
    closed = ClosedDay.objects.filter(date=day).filter(library_id=library.pk).exists() or (
        ClosedDay.objects.filter(date=day, applies_to_subtree=True, library_id__in=ancestor_ids).exists()
    )
    if closed:
        return False
    weekdays = _weekly_hours(library)
    return weekdays is None or day.weekday() in weekdays


def next_open_day(library: Library, day: date, *, limit_days: int = 366) -> date:
    """Return `day` or the first later day the library is open."""
    for offset in range(limit_days):
        candidate = day + timedelta(days=offset)
        if is_open(library, candidate):
            return candidate
    return day


def _weekly_hours(library: Library) -> set[int] | None:
    """Weekdays with hours, inherited from the nearest ancestor that has any; None when none is set."""
    ids = [int(p) for p in library.path.strip("/").split("/") if p]
    rows = OpeningHours.objects.filter(library_id__in=ids).values_list("library_id", "weekday")
    by_library: dict[int, set[int]] = {}
    for library_id, weekday in rows:
        by_library.setdefault(library_id, set()).add(weekday)
    for library_id in reversed(ids):
        if library_id in by_library:
            return by_library[library_id]
    return None
