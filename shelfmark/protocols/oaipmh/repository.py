"""Reads for the provider: the records and deleted records of a list, page by page in id order, with datestamps,
set memberships and copies.

A record's datestamp is the latest of its own change (updated_at), the arrival of a copy (which may put it in a
library's set) and the withdrawal of a copy (which takes a holding out of its MARC). Status changes of loans move
no datestamp: otherwise every check-out would send a record to every harvester again.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Min, Q, QuerySet

from shelfmark.catalog.models import DeletedRecord, Record
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.protocols.bibxml import Holding

from .protocol import MetadataFormat
from .sets import LIBRARY, TYPE, Network, SetFilter

# What a header needs of a record; metadata needs the rest.
_HEADER_FIELDS = ("id", "marc_format", "resource_type", "updated_at")
_METADATA_FIELDS = (
    *_HEADER_FIELDS,
    "marc",
    "title",
    "other_titles",
    "authors",
    "subjects",
    "clc_class",
    "publisher",
    "year",
    "isbn",
    "isbns",
    "issn",
    "language",
)


@dataclass(frozen=True)
class Selection:
    """A list request: the format, the set, and the datestamp range [start, end)."""

    format: MetadataFormat
    set: SetFilter | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass
class Entry:
    """One record of a response, live (with `record`) or deleted."""

    record_id: int
    datestamp: datetime
    resource_type: str
    marc_format: str
    record: Record | None = None
    library_ids: set[int] = field(default_factory=set)
    holdings: list[Holding] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.record is None


def _changed_copies(since: datetime) -> QuerySet[Item]:
    """Copies whose arrival or withdrawal happened at or after `since`."""
    withdrawn = Q(status=ItemStatus.WITHDRAWN, status_changed_at__gte=since)
    return Item.objects.filter(Q(created_at__gte=since) | withdrawn)


def live_records(selection: Selection) -> QuerySet[Record]:
    records = Record.objects.all()
    if selection.format.marc_format:
        records = records.filter(marc_format=selection.format.marc_format)
    chosen = selection.set
    if chosen is not None and chosen.kind == TYPE and chosen.resource_type:
        records = records.filter(resource_type=chosen.resource_type)
    elif chosen is not None and chosen.kind == LIBRARY:
        copies = Item.objects.all()
        if chosen.library_path:
            copies = copies.filter(home_library__path__startswith=chosen.library_path)
        records = records.filter(pk__in=copies.values("record_id"))
    if selection.start is not None:
        since = selection.start
        records = records.filter(Q(updated_at__gte=since) | Q(pk__in=_changed_copies(since).values("record_id")))
    if selection.end is not None:
        records = records.filter(updated_at__lt=selection.end).exclude(
            pk__in=_changed_copies(selection.end).values("record_id")
        )
    return records


def deleted_records(selection: Selection) -> QuerySet[DeletedRecord]:
    gone = DeletedRecord.objects.all()
    if selection.format.marc_format:
        gone = gone.filter(marc_format=selection.format.marc_format)
    chosen = selection.set
    if chosen is not None and chosen.kind == LIBRARY:
        # Copies protect their record from deletion, so a deleted record is held by no library.
        return gone.none()
    if chosen is not None and chosen.resource_type:
        gone = gone.filter(resource_type=chosen.resource_type)
    if selection.start is not None:
        gone = gone.filter(deleted_at__gte=selection.start)
    if selection.end is not None:
        gone = gone.filter(deleted_at__lt=selection.end)
    return gone


def count(selection: Selection) -> int:
    """Return how many records, live and deleted, the whole list holds."""
    return live_records(selection).count() + deleted_records(selection).count()


def page(selection: Selection, *, after: int, limit: int, metadata: bool) -> tuple[list[Entry], bool]:
    """Return the next `limit` entries with an id above `after`, in id order, and whether more follow."""
    fields = _METADATA_FIELDS if metadata else _HEADER_FIELDS
    live = live_records(selection).filter(pk__gt=after).order_by("pk").only(*fields)[: limit + 1]
    gone = deleted_records(selection).filter(record_id__gt=after).order_by("record_id")[: limit + 1]
    entries = [_live(record) for record in live]
    entries = list(heapq.merge(entries, map(_gone, gone), key=lambda entry: entry.record_id))
    more = len(entries) > limit
    entries = entries[:limit]
    _add_copies([entry for entry in entries if not entry.deleted], with_holdings=metadata)
    return entries, more


def find(record_id: int, *, metadata: bool) -> Entry | None:
    """Return the entry of one record id, live or deleted, or None when the repository never had it."""
    fields = _METADATA_FIELDS if metadata else _HEADER_FIELDS
    record = Record.objects.filter(pk=record_id).only(*fields).first()
    if record is not None:
        entry = _live(record)
        _add_copies([entry], with_holdings=metadata)
        return entry
    gone = DeletedRecord.objects.filter(record_id=record_id).first()
    return _gone(gone) if gone is not None else None


def earliest_datestamp() -> datetime | None:
    """Return a lower bound of every datestamp: the oldest record change or deletion."""
    moments = [
        Record.objects.aggregate(earliest=Min("updated_at"))["earliest"],
        DeletedRecord.objects.aggregate(earliest=Min("deleted_at"))["earliest"],
    ]
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def set_specs(entry: Entry, network: Network) -> list[str]:
    """Return the sets a header names: the record's type, and each holding library (its ancestors are implied)."""
    specs = [f"{TYPE}:{entry.resource_type}"]
    specs += sorted({network.spec(pk) for pk in entry.library_ids if pk in network.nodes})
    return specs


def _live(record: Record) -> Entry:
    return Entry(record.pk, record.updated_at, record.resource_type, record.marc_format, record)


def _gone(gone: DeletedRecord) -> Entry:
    return Entry(gone.record_id, gone.deleted_at, gone.resource_type, gone.marc_format)


def _add_copies(entries: Iterable[Entry], *, with_holdings: bool) -> None:
    """Give entries their holding libraries, their datestamps moved by copies, and (for metadata) their holdings."""
    by_id = {entry.record_id: entry for entry in entries}
    if not by_id:
        return
    rows = Item.objects.filter(record_id__in=list(by_id)).order_by("id")
    columns = ["record_id", "home_library_id", "created_at", "status", "status_changed_at"]
    if with_holdings:
        columns += ["home_library__code", "shelving_location", "call_number", "barcode"]
    holdings: dict[int, list[Holding]] = defaultdict(list)
    for row in rows.values(*columns):
        entry = by_id[row["record_id"]]
        entry.library_ids.add(row["home_library_id"])
        moments = [entry.datestamp, row["created_at"]]
        if row["status"] == ItemStatus.WITHDRAWN:
            moments.append(row["status_changed_at"])
        elif with_holdings:
            holding = Holding(row["home_library__code"], row["shelving_location"], row["call_number"], row["barcode"])
            holdings[row["record_id"]].append(holding)
        entry.datestamp = max(moments)
    for record_id, found in holdings.items():
        by_id[record_id].holdings = found
