"""Land a batch of harvested or uploaded records as a source's records, copies and cluster members.

One batch (an OAI-PMH page, or a thousand records of a file) is one transaction together with the run's
progress (its counts and the resumption token that follows the batch), so an interrupted harvest resumes
exactly after the last batch that landed. Each record is looked up by (source, identifier): new ones are
inserted, changed ones (another MARC digest, or back from deletion) rewritten, unchanged ones only marked as
seen by this run; a deletion keeps the record as a tombstone (deleted, its MARC kept) and takes its copies away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F

from shelfmark.core.dbstats import GrowthWatch
from shelfmark.libraries.models import Library
from shelfmark.union_catalog import bulk
from shelfmark.union_catalog.models import ClusterMember, HarvestRun, Source, SourceHolding, SourceRecord
from shelfmark.union_catalog.prepare import Deleted, Incoming, Prepared, Rejected

# A run keeps this many rejects (identifier and reason) in its log; the counts cover them all.
REJECTS_KEPT = 1000
_KEY_COLUMNS = (
    "title",
    "responsibility",
    "publisher",
    "year",
    "marc_format",
    "isbn",
    "isbns",
    "title_key",
    "author_key",
    "responsibility_key",
    "publisher_key",
    "volume",
    "edition",
    "fullness",
)
_RECORD_COLUMNS = ("datestamp", "deleted", "marc_format", "marc", "digest", "last_run_id", "updated_at")
_HOLDING_COLUMNS = ("source_record_id", "library_code", "library_id", "barcode", "call_number", "location", "tag")


@dataclass
class Counts:
    """What one batch did, in the run log's terms."""

    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    rejects: list[dict[str, str]] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for name in ("read", "new", "updated", "unchanged", "deleted", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejects += other.rejects


class Libraries:
    """The network's library ids by code, read once per run: copies name their library by its code."""

    def __init__(self, source: Source) -> None:
        self.by_code = dict(Library.objects.values_list("code", "id"))
        self.source_code = source.library.code
        self.source_library_id = source.library_id

    def resolve(self, code: str) -> tuple[str, int | None]:
        if not code:
            return self.source_code, self.source_library_id
        return code, self.by_code.get(code)


_FIELDS: dict[tuple[Any, tuple[str, ...]], list[Any]] = {}


def _adapted(model: Any, columns: Sequence[str], values: Sequence[Any]) -> list[Any]:
    key = (model, tuple(columns))
    fields = _FIELDS.get(key)
    if fields is None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        fields = _FIELDS[key] = [by_attname[name] for name in columns]
    return [bulk.adapt(value, f) for f, value in zip(fields, values, strict=True)]


def land(
    items: Sequence[Incoming],
    *,
    source: Source,
    run: HarvestRun,
    libraries: Libraries,
    now: datetime,
    progress: dict[str, Any] | None = None,
    before_commit: Callable[[], None] | None = None,
    growth: GrowthWatch | None = None,
) -> Counts:
    """Write one batch and the run's progress (`progress`: run fields such as the next resumption token); tell
    `growth` the rows added, so that a long load keeps the planner's statistics of what it fills current."""
    counts = Counts(read=len(items))
    latest: dict[str, Prepared | Deleted] = {}
    for item in items:
        if isinstance(item, Rejected):
            counts.rejected += 1
            counts.rejects.append({"identifier": item.identifier, "reason": item.reason})
        else:
            latest[item.identifier] = item  # a record repeated in the batch lands as its last copy
    with transaction.atomic():
        existing = {
            row[1]: row
            for row in SourceRecord.objects.filter(source=source, identifier__in=list(latest)).values_list(
                "id", "identifier", "digest", "deleted"
            )
        }
        members = dict(
            ClusterMember.objects.filter(source_record_id__in=[row[0] for row in existing.values()]).values_list(
                "source_record_id", "id"
            )
        )
        _write(latest, existing, members, counts, source=source, run=run, libraries=libraries, now=now)
        fields: dict[str, Any] = {
            name: F(name) + getattr(counts, name)
            for name in ("read", "new", "updated", "unchanged", "deleted", "rejected")
        }
        fields["heartbeat_at"] = now
        if counts.rejects and len(run.rejects) < REJECTS_KEPT:
            run.rejects = [*run.rejects, *counts.rejects][:REJECTS_KEPT]
            fields["rejects"] = run.rejects
        fields.update(progress or {})
        HarvestRun.objects.filter(pk=run.pk).update(**fields)
        if before_commit is not None:
            before_commit()
    if growth is not None:
        growth.added_rows(counts.new)
    return counts


def growth_watch() -> GrowthWatch:
    """Watch the tables a member's records land in (looked up by identifier and by source record each batch)."""
    return GrowthWatch([model._meta.db_table for model in (SourceRecord, SourceHolding, ClusterMember)])


def _write(
    latest: dict[str, Prepared | Deleted],
    existing: dict[str, tuple[int, str, str, bool]],
    members: dict[int, int],
    counts: Counts,
    *,
    source: Source,
    run: HarvestRun,
    libraries: Libraries,
    now: datetime,
) -> None:
    new_records: list[Prepared | Deleted] = []
    changed: list[tuple[int, Prepared | Deleted]] = []
    seen: list[int] = []
    for identifier, item in latest.items():
        row = existing.get(identifier)
        if row is None:
            new_records.append(item)
            if isinstance(item, Deleted):
                counts.deleted += 1
            else:
                counts.new += 1
            continue
        record_id, old_digest, was_deleted = row[0], row[2], row[3]
        if isinstance(item, Deleted):
            if was_deleted:
                counts.unchanged += 1
                seen.append(record_id)
            else:
                counts.deleted += 1
                changed.append((record_id, item))
        elif was_deleted or item.digest != old_digest:
            counts.updated += 1
            changed.append((record_id, item))
        else:
            counts.unchanged += 1
            seen.append(record_id)
    if seen:
        SourceRecord.objects.filter(pk__in=seen).update(last_run=run)

    stamp = bulk.adapt(now, SourceRecord._meta.get_field("updated_at"))
    ids = bulk.reserve_ids(SourceRecord, len(new_records))
    record_rows = []
    for record_id, item in zip(ids, new_records, strict=True):
        live = isinstance(item, Prepared)
        record_rows.append(
            [
                record_id,
                source.pk,
                item.identifier,
                bulk.adapt(item.datestamp, SourceRecord._meta.get_field("datestamp")),
                not live,
                item.marc_format if isinstance(item, Prepared) else "",
                item.marc_json if isinstance(item, Prepared) else "{}",
                item.digest if isinstance(item, Prepared) else "",
                run.pk,
                stamp,
                stamp,
            ]
        )
    bulk.insert(
        SourceRecord,
        (
            "id",
            "source_id",
            "identifier",
            "datestamp",
            "deleted",
            "marc_format",
            "marc",
            "digest",
            "last_run_id",
            "created_at",
            "updated_at",
        ),
        record_rows,
    )

    # Rewritten records: new MARC (or the deletion), copies replaced below, keys updated.
    update_rows = []
    for record_id, item in changed:
        if isinstance(item, Prepared):
            values = [item.datestamp, False, item.marc_format, item.marc_json, item.digest, run.pk, now]
            update_rows.append([record_id, *_adapted(SourceRecord, _RECORD_COLUMNS, values)])
    bulk.update(SourceRecord, _RECORD_COLUMNS, update_rows)
    gone = [(record_id, item) for record_id, item in changed if isinstance(item, Deleted)]
    for record_id, item in gone:
        # A tombstone keeps the MARC it last had; only the flag, the datestamp and the run change.
        SourceRecord.objects.filter(pk=record_id).update(
            deleted=True, datestamp=item.datestamp, last_run=run, updated_at=now
        )
    SourceHolding.objects.filter(source_record_id__in=[record_id for record_id, _ in changed]).delete()
    if gone:
        ClusterMember.objects.filter(source_record_id__in=[record_id for record_id, _ in gone]).update(active=False)

    live_items = [(record_id, item) for record_id, item in zip(ids, new_records, strict=True)]
    live_items += [(record_id, item) for record_id, item in changed]
    holding_rows = []
    member_inserts: list[tuple[int, Prepared]] = []
    member_updates = []
    for record_id, item in live_items:
        if not isinstance(item, Prepared):
            continue
        for holding in item.holdings:
            code, library_id = libraries.resolve(holding.library_code)
            holding_rows.append(
                [record_id, code, library_id, holding.barcode, holding.call_number, holding.location, holding.tag]
            )
        member_id = members.get(record_id)
        key_values = [getattr(item.keys, name) for name in _KEY_COLUMNS]
        if member_id is None:
            member_inserts.append((record_id, item))
        else:
            member_updates.append([member_id, *_adapted(ClusterMember, (*_KEY_COLUMNS, "active"), [*key_values, True])])
    bulk.insert(SourceHolding, _HOLDING_COLUMNS, holding_rows)
    bulk.update(ClusterMember, (*_KEY_COLUMNS, "active"), member_updates)
    member_ids = bulk.reserve_ids(ClusterMember, len(member_inserts))
    columns = ("id", "source_record_id", "active", *_KEY_COLUMNS, "cluster_id", "record_id", "keys_from")
    bulk.insert(
        ClusterMember,
        columns,
        [
            [
                member_id,
                record_id,
                True,
                *_adapted(ClusterMember, _KEY_COLUMNS, [getattr(item.keys, name) for name in _KEY_COLUMNS]),
                None,
                None,
                None,
            ]
            for member_id, (record_id, item) in zip(member_ids, member_inserts, strict=True)
        ],
    )


def mark_unseen_deleted(*, source: Source, run: HarvestRun, now: datetime) -> int:
    """After a complete full harvest (or a whole-catalogue file): what the run did not see is gone at the member."""
    with transaction.atomic():
        unseen = SourceRecord.objects.filter(source=source, deleted=False).exclude(last_run=run)
        ids = list(unseen.values_list("pk", flat=True))
        if not ids:
            return 0
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            SourceRecord.objects.filter(pk__in=chunk).update(deleted=True, updated_at=now)
            SourceHolding.objects.filter(source_record_id__in=chunk).delete()
            ClusterMember.objects.filter(source_record_id__in=chunk).update(active=False)
        HarvestRun.objects.filter(pk=run.pk).update(deleted=F("deleted") + len(ids))
    return len(ids)
