"""The MARC import pipeline: read, extract, match and write records batch by batch.

Each batch is one transaction (records, search index and one audit event), so an interrupted import
leaves whole batches only, and running the same file again updates what landed instead of duplicating.
Matching costs one query per batch; new rows go in with one executemany (bulk_insert), matched ones
with bulk_update.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from django.db import connection, transaction
from django.utils import timezone

from shelfmark.catalog.bulk_insert import insert_records, reserve_ids
from shelfmark.catalog.marc.extract import FORMATS, RecordFields
from shelfmark.catalog.marc.reading import ENCODINGS
from shelfmark.catalog.models import ImportJob, Record
from shelfmark.catalog.preparing import Bad, Good, prepared_items
from shelfmark.catalog.search import index as search_index
from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Library

MATCHES = ("isbn", "control-number", "none")
# The summary keeps this many rejects in memory; the reject files hold them all.
REJECTS_KEPT = 10_000
_FIELDS = [name for name in RecordFields.__dataclass_fields__]
_UPDATED_FIELDS = [*_FIELDS, "updated_at"]


@dataclass(frozen=True, slots=True)
class Reject:
    """A record that did not land: where it is in the file and why."""

    position: int
    offset: int
    reason: str
    control_number: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "offset": self.offset,
            "reason": self.reason,
            "control_number": self.control_number,
        }


@dataclass
class ImportSummary:
    """Counts of one import run, the rejects (first REJECTS_KEPT) and the reject files written."""

    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    reject_files: list[Path] = field(default_factory=list)

    def line(self) -> str:
        return f"read={self.read} created={self.created} updated={self.updated} rejected={self.rejected}"


Progress = Callable[[int, int, ImportSummary], None]


class RejectWriter:
    """Write rejected records' bytes (FILE.rejects.mrc or .xml) and a TSV of position, offset and reason."""

    def __init__(self, base: Path | None) -> None:
        self.base = base
        self.paths: list[Path] = []
        self._stack = ExitStack()
        self._data: BinaryIO | None = None
        self._tsv: Any = None
        self._xml = False
        if base is not None:
            for suffix in (".mrc", ".xml", ".tsv"):
                Path(f"{base}{suffix}").unlink(missing_ok=True)

    def write(self, reject: Reject, raw: bytes) -> None:
        if self.base is None:
            return
        if self._tsv is None:
            self._xml = reject.offset < 0
            data_path = Path(f"{self.base}{'.xml' if self._xml else '.mrc'}")
            tsv_path = Path(f"{self.base}.tsv")
            self._data = self._stack.enter_context(data_path.open("wb"))
            self._tsv = self._stack.enter_context(tsv_path.open("w", encoding="utf-8"))
            self._tsv.write("position\toffset\treason\tcontrol_number\n")
            if self._xml:
                self._data.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<collection>\n')
            self.paths = [data_path, tsv_path]
        assert self._data is not None
        self._data.write(raw + (b"\n" if self._xml else b""))
        reason = " ".join(reject.reason.split())
        self._tsv.write(f"{reject.position}\t{reject.offset}\t{reason}\t{reject.control_number}\n")

    def close(self) -> None:
        if self._xml and self._data is not None:
            self._data.write(b"</collection>\n")
        self._stack.close()


def check_options(*, marc_format: str, encoding: str, match: str, batch_size: int) -> None:
    """Refuse unknown import options before any record is read."""
    if marc_format not in FORMATS:
        raise InvalidInput(f"Unknown MARC format {marc_format!r}; use {', '.join(FORMATS)}.", field="marc_format")
    if encoding not in ENCODINGS:
        raise InvalidInput(f"Unknown encoding {encoding!r}; use {', '.join(ENCODINGS)}.", field="encoding")
    if match not in MATCHES:
        raise InvalidInput(f"Unknown match rule {match!r}; use {', '.join(MATCHES)}.", field="match")
    if batch_size < 1:
        raise InvalidInput("The batch size must be at least 1.", field="batch_size")


def run(
    *,
    source: str | Path | BinaryIO,
    actor: Any,
    library: Library | None,
    marc_format: str,
    encoding: str,
    match: str,
    batch_size: int,
    reject_path: Path | None,
    progress: Progress | None,
    job: ImportJob | None,
) -> ImportSummary:
    """Import every record of one MARC file in batches; see services.import_marc."""
    check_options(marc_format=marc_format, encoding=encoding, match=match, batch_size=batch_size)
    summary = ImportSummary()
    rejects = RejectWriter(reject_path)
    with ExitStack() as stack:
        stack.enter_context(_fewer_collections())
        fh: BinaryIO = stack.enter_context(Path(source).open("rb")) if isinstance(source, str | Path) else source
        total = _size(fh)
        name = Path(source).name if isinstance(source, str | Path) else getattr(source, "name", "")
        stack.callback(rejects.close)
        batch: list[Good] = []
        done = 0
        number = 0
        land = partial(_land, name=str(name), match=match, library=library, actor=actor, job=job, summary=summary)
        # closing: an interrupted import stops the worker processes at once, not when collected.
        items = stack.enter_context(closing(prepared_items(fh, size=total, encoding=encoding, marc_format=marc_format)))
        for item in items:
            summary.read += 1
            done = item.done
            if isinstance(item, Bad):
                _reject(item, summary, rejects)
            else:
                batch.append(item)
            if len(batch) >= batch_size:
                number += 1
                land(batch, number=number)
                batch = []
                _report(done, total, summary, progress, job)
        if batch or number == 0:
            number += 1
            land(batch, number=number)
        _report(total, total, summary, progress, job)
    summary.reject_files = rejects.paths
    return summary


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Keep the garbage collector from rescanning the heap every few hundred records.

    An import allocates millions of short-lived, acyclic objects (fields, dicts, model instances) that
    reference counting frees; with the default thresholds the cyclic collector ran so often that it took
    half the import's time. Existing objects are frozen out of its scans and it runs less often.
    """
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _size(fh: BinaryIO) -> int:
    try:
        return os.fstat(fh.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        try:
            here = fh.tell()
            end = fh.seek(0, os.SEEK_END)
            fh.seek(here)
            return end
        except (AttributeError, OSError):
            return 0


def _reject(item: Bad, summary: ImportSummary, rejects: RejectWriter) -> None:
    reject = Reject(item.position, item.offset, item.reason, item.control_number)
    summary.rejected += 1
    if len(summary.rejects) < REJECTS_KEPT:
        summary.rejects.append(reject)
    rejects.write(reject, item.raw)


def _match_key(values: RecordFields, match: str) -> tuple[str, str] | None:
    """Say how a record is matched: by ISBN-13, else (or when asked) by its 001 control number."""
    if match == "isbn" and values.isbn:
        return ("isbn", values.isbn)
    if match in ("isbn", "control-number") and values.control_number:
        return ("control_number", values.control_number)
    return None


def _existing(keys: set[tuple[str, str]]) -> dict[tuple[str, str], Record]:
    """Fetch the records already holding these keys (lowest id wins among duplicates).

    One plain SQL query finds the ids (the ORM spends milliseconds compiling a thousand-value IN);
    the matched records, usually few, are then loaded whole.
    """
    isbns = sorted(value for kind, value in keys if kind == "isbn")
    numbers = sorted(value for kind, value in keys if kind == "control_number")
    table = connection.ops.quote_name(Record._meta.db_table)
    clauses: list[str] = []
    params: list[Any] = []
    for column, values in (("isbn", isbns), ("control_number", numbers)):
        if not values:
            continue
        if connection.vendor == "postgresql":
            # One index probe per key (a correlated subplan), whatever the statistics say: without them
            # (a table filling up faster than autovacuum analyses it) the planner turned `IN (1,000
            # values)` or a join on them into a seq scan of the whole table, 0.3 s a batch at 750,000.
            clauses.append(
                f"SELECT m.id FROM unnest(%s::text[]) AS k(v),"
                f" unnest(ARRAY(SELECT id FROM {table} WHERE {column} = k.v)) AS m(id)"
            )
            params.append(values)
        else:
            clauses.append(f"SELECT id FROM {table} WHERE {column} IN ({', '.join(['%s'] * len(values))})")
            params.extend(values)
    if not clauses:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(clauses), params)
        ids = [row[0] for row in cursor.fetchall()]
    wanted_isbns, wanted_numbers = set(isbns), set(numbers)
    found: dict[tuple[str, str], Record] = {}
    for record in Record.objects.filter(pk__in=ids).order_by("-id") if ids else []:
        if record.isbn in wanted_isbns:
            found[("isbn", record.isbn)] = record
        if record.control_number in wanted_numbers:
            found[("control_number", record.control_number)] = record
    return found


def _land(
    batch: list[Good],
    *,
    number: int,
    name: str,
    match: str,
    library: Library | None,
    actor: Any,
    job: ImportJob | None,
    summary: ImportSummary,
) -> None:
    """Write one batch: match, create and update rows, index them and note one audit event, all or nothing."""
    keyed = [(item, _match_key(item.values, match)) for item in batch]
    now = timezone.now()
    with transaction.atomic():
        existing = _existing({key for _, key in keyed if key is not None})
        to_create: list[Record] = []
        to_update: dict[int, Record] = {}
        # What each record of the batch lands with: the last copy's MARC-in-JSON and tokens (by id()).
        latest: dict[int, Good] = {}
        matched = 0
        pending: dict[tuple[str, str], Record] = {}  # records of this batch, so a later copy updates it
        for item, key in keyed:
            target = (pending.get(key) or existing.get(key)) if key is not None else None
            row = item.values.as_model_fields()
            del row["marc"]
            if target is None:
                record = Record(**row, library=library, created_at=now, updated_at=now)
                to_create.append(record)
                latest[id(record)] = item
                if key is not None:
                    pending[key] = record
                continue
            matched += 1
            for attribute, value in row.items():
                setattr(target, attribute, value)
            target.updated_at = now
            latest[id(target)] = item
            if target.pk is not None:
                to_update[target.pk] = target
        for record, pk in zip(to_create, reserve_ids(len(to_create)), strict=True):
            record.pk = pk
        insert_records(to_create, now=now, marc_json=[latest[id(record)].marc_json for record in to_create])
        created = to_create
        if to_update:
            for record in to_update.values():
                record.marc = orjson.loads(latest[id(record)].marc_json)
            Record.objects.bulk_update(list(to_update.values()), _UPDATED_FIELDS)
        written = [*created, *to_update.values()]
        # inside the batch: never half indexed
        search_index.index_records(written, prepared=[latest[id(record)].tokens for record in written])
        events.record(
            "catalog.import_batch",
            actor=actor,
            target=job,
            data={
                "file": name,
                "batch": number,
                "positions": [batch[0].position, batch[-1].position] if batch else [],
                "created": len(created),
                "updated": matched,
                "library": library.code if library is not None else None,
            },
            now=now,
        )
    summary.created += len(created)
    summary.updated += matched


def _report(done: int, total: int, summary: ImportSummary, progress: Progress | None, job: ImportJob | None) -> None:
    if progress is not None:
        progress(done, total, summary)
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(
            processed_bytes=min(done, total) if total else done,
            read=summary.read,
            created=summary.created,
            updated=summary.updated,
            rejected=summary.rejected,
            rejects=[reject.as_dict() for reject in summary.rejects[:1000]],
        )


def iter_rejects(summary: ImportSummary) -> Iterator[str]:
    """Yield one readable line per kept reject: position, offset and reason."""
    for reject in summary.rejects:
        where = f"#{reject.position}" + (f" @{reject.offset}" if reject.offset >= 0 else "")
        number = f" [{reject.control_number}]" if reject.control_number else ""
        yield f"{where}{number}: {reject.reason}"
