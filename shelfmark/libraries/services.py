"""Writes to the network tree and its calendars."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import transaction

from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import ClosedDay, Kind, Library, OpeningHours, ServicePoint


class DuplicateLibraryCode(InvalidInput):
    code = "duplicate_library_code"
    default_message = "Library code {code} is already used in the network."


@transaction.atomic
def create_library(
    *,
    code: str,
    name: str,
    level: str,
    parent: Library | None = None,
    kind: str = Kind.LIBRARY,
    name_en: str = "",
    address: str = "",
    actor: Any = None,
) -> Library:
    """Add a node to the network below `parent`, keeping its materialized path."""
    if Library.objects.filter(code=code).exists():
        raise DuplicateLibraryCode(field="code", code=code)
    library = Library.objects.create(
        code=code, name=name, name_en=name_en, level=level, kind=kind, parent=parent, address=address
    )
    library.path = f"{parent.path if parent else '/'}{library.pk}/"
    library.depth = parent.depth + 1 if parent else 0
    library.save(update_fields=["path", "depth"])
    events.record("library.created", actor=actor, target=library, data={"code": code})
    return library


@transaction.atomic
def set_opening_hours(*, library: Library, hours: dict[int, tuple[time, time]], actor: Any = None) -> None:
    """Replace a library's weekly opening hours; weekdays missing from `hours` are closed."""
    OpeningHours.objects.filter(library=library).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(library=library, weekday=day, opens=opens, closes=closes)
        for day, (opens, closes) in sorted(hours.items())
    )
    events.record("library.hours_set", actor=actor, target=library, data={"weekdays": sorted(hours)})


@transaction.atomic
def add_closed_day(
    *, library: Library, day: date, reason: str = "", applies_to_subtree: bool = False, actor: Any = None
) -> ClosedDay:
    """Mark a day closed (idempotent on library and date)."""
    closed, _ = ClosedDay.objects.update_or_create(
        library=library, date=day, defaults={"reason": reason, "applies_to_subtree": applies_to_subtree}
    )
    events.record("library.closed_day_added", actor=actor, target=library, data={"date": day.isoformat()})
    return closed


@transaction.atomic
def create_service_point(
    *, library: Library, code: str, name: str, kind: str = ServicePoint.Kind.DESK, actor: Any = None
) -> ServicePoint:
    """Add a desk, kiosk or return box to a library."""
    point = ServicePoint.objects.create(library=library, code=code, name=name, kind=kind)
    events.record("service_point.created", actor=actor, target=point, data={"code": code})
    return point


@transaction.atomic
def move_library(*, library: Library, parent: Library | None, actor: Any = None) -> Library:
    """Move a node (with its whole subtree) below a new parent, rewriting the subtree's paths."""
    if parent is not None and parent.path.startswith(library.path):
        raise InvalidInput("A library cannot be moved below itself.", field="parent")
    old_path = library.path
    new_path = f"{parent.path if parent else '/'}{library.pk}/"
    shift = (parent.depth + 1 if parent else 0) - library.depth
    for node in Library.objects.select_for_update().filter(path__startswith=old_path):
        node.path = new_path + node.path[len(old_path) :]
        node.depth += shift
        if node.pk == library.pk:
            node.parent = parent
        node.save(update_fields=["path", "depth", "parent"])
    library.refresh_from_db()
    events.record("library.moved", actor=actor, target=library, data={"parent": parent.code if parent else None})
    return library
