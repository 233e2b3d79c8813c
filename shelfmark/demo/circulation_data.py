"""Load the circulation half of the demo: rules, readers, items, then months of history (once).

Rules, readers and items are each matched on what identifies them, so a second run adds only what is missing.
The history is written in one transaction and marked with a `demo.history_loaded` audit event: a second run
finds the mark and leaves the history alone, and a run that fails half-way leaves no half-history behind.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shelfmark.circulation import services as circulation
from shelfmark.core import events
from shelfmark.core.models import AuditEvent
from shelfmark.demo.history import DEFAULT_DAYS, Actors, simulate
from shelfmark.demo.items import load_items
from shelfmark.demo.policies import load_rules
from shelfmark.demo.readers import DEFAULT_READERS, Readers, load_readers
from shelfmark.demo.scenes import SCENE_TITLES, play_scenes, reserved_records
from shelfmark.libraries.models import Library

HISTORY_MARK = "demo.history_loaded"


def demo_actors() -> Actors:
    """The staff who work the desks in the history: the demo's desk logins, else the administrator."""
    users = {
        user.username: user for user in get_user_model().objects.filter(username__in=("admin", "desk", "kangping"))
    }
    return Actors(
        by_code={code: users[name] for code, name in (("LN-SY", "desk"), ("LN-SY-KP", "kangping")) if name in users},
        fallback=users.get("admin"),
    )


def load_circulation(
    libraries: dict[str, Library],
    *,
    readers: int = DEFAULT_READERS,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> tuple[Readers, dict[str, Any]]:
    """Add the circulation demo data and return the readers and the counts for the summary."""
    now = now or timezone.now()
    start = now - timedelta(days=days)
    counts: dict[str, Any] = load_rules(libraries)
    loaded = load_readers(libraries, count=readers, start=start, now=now)
    counts["readers_created"] = loaded.created
    counts.update(load_items(libraries, before=start))
    mark = AuditEvent.objects.filter(kind=HISTORY_MARK).order_by("id").first()
    if mark is not None:
        counts["history"] = mark.data
    else:
        counts["history"] = load_history(libraries, loaded, days=days, now=now)
    return loaded, counts


@transaction.atomic
def load_history(libraries: dict[str, Library], readers: Readers, *, days: int, now: datetime) -> dict[str, Any]:
    """Write the crowd's months of circulation, the named readers' scenes and today's overdue run, once."""
    actors = demo_actors()
    reserved = {record.pk for record in reserved_records(SCENE_TITLES)}
    history = simulate(
        libraries=libraries, readers=readers.crowd, actors=actors, reserved_records=reserved, days=days, now=now
    ).as_dict()
    history.update(play_scenes(libraries=libraries, actors=actors, readers=readers.featured, now=now))
    overdue = circulation.process_overdues(now=now, actor=actors.fallback)
    history["overdue_loans"] = overdue.overdue_loans
    history["days"] = days
    events.record(HISTORY_MARK, data=history, now=now)
    return history
