"""Borrowing rankings (借阅排行榜) read from the circulation event log: titles and their check-out counts, no readers.

A ranking is one GROUP BY over the check-out events of its period, read through the (kind, at) index, narrowed by
the libraries lent at, the reader category and a CLC class range, and cut to the first `limit` titles. Only
check-outs count: a renewal, a return or a hold is not a new loan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from shelfmark.circulation.models import CirculationEvent


@dataclass(frozen=True)
class RankedTitle:
    record_id: int
    loans: int


def top_titles(
    *,
    since: datetime | None,
    until: datetime | None,
    library_ids: Sequence[int] | None = None,
    patron_category: str = "",
    clc_prefix: str = "",
    limit: int = 50,
) -> list[RankedTitle]:
    """Return the most borrowed titles of [since, until), most loans first (then lowest record id).

    `library_ids` None means the whole network; `clc_prefix` keeps the titles whose class number starts with it.
    """
    events = CirculationEvent.objects.filter(kind=CirculationEvent.Kind.CHECK_OUT, record_id__isnull=False)
    if since is not None:
        events = events.filter(at__gte=since)
    if until is not None:
        events = events.filter(at__lt=until)
    if library_ids is not None:
        events = events.filter(library_id__in=list(library_ids))
    if patron_category:
        events = events.filter(patron_category=patron_category)
    if clc_prefix:
        # As a range [prefix, prefix with its last character advanced): SQLite cannot index LIKE, and PostgreSQL
        # misjudges a range ANDed with LIKE as a hundred times rarer than it is.
        high = clc_prefix[:-1] + chr(ord(clc_prefix[-1]) + 1)
        events = events.filter(record__clc_class__gte=clc_prefix, record__clc_class__lt=high)
    rows = (
        events.values("record_id")
        .annotate(loans=Count("*"))  # not count(id): an index holding the filtered columns can answer alone
        .order_by("-loans", "record_id")
        .values_list("record_id", "loans")[:limit]
    )
    return [RankedTitle(record_id=record_id, loans=loans) for record_id, loans in rows]
