"""Writes to the catalogue: create, update and delete records, and import MARC files."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from django.db import transaction
from django.utils import timezone

from shelfmark.catalog import importing
from shelfmark.catalog.importing import ImportSummary, Progress, Reject
from shelfmark.catalog.marc.extract import extract
from shelfmark.catalog.marc.writing import record_from_dict
from shelfmark.catalog.models import DeletedRecord, ImportJob, Record
from shelfmark.catalog.search import index as search_index
from shelfmark.core import events
from shelfmark.libraries.models import Library

__all__ = ["ImportSummary", "Reject", "create_record", "delete_record", "import_marc", "update_record"]

_UNCHANGED: Any = object()


@transaction.atomic
def create_record(
    *, marc: Mapping[str, Any], marc_format: str = "auto", library: Library | None = None, actor: Any
) -> Record:
    """Catalogue a new record from MARC-in-JSON; its indexed fields are extracted from the MARC."""
    values = extract(record_from_dict(marc), marc_format=marc_format)
    record = Record.objects.create(**values.as_model_fields(), library=library)
    search_index.index_records([record])
    events.record("catalog.record_created", actor=actor, target=record, data={"title": record.title})
    return record


@transaction.atomic
def update_record(
    *,
    record: Record,
    marc: Mapping[str, Any],
    marc_format: str = "auto",
    library: Library | None = _UNCHANGED,
    actor: Any,
) -> Record:
    """Replace a record's MARC (and re-extract its fields); move it to another library when one is given."""
    values = extract(record_from_dict(marc), marc_format=marc_format)
    locked = Record.objects.select_for_update().get(pk=record.pk)
    row = values.as_model_fields()
    changed = sorted(name for name, value in row.items() if name != "marc" and getattr(locked, name) != value)
    for name, value in row.items():
        setattr(locked, name, value)
    if library is not _UNCHANGED and library != locked.library:
        changed.append("library")
        locked.library = library
    locked.save()
    search_index.index_records([locked])
    events.record("catalog.record_updated", actor=actor, target=locked, data={"changed": changed})
    return locked


@transaction.atomic
def delete_record(*, record: Record, actor: Any, now: datetime | None = None) -> None:
    """Delete a record, take it out of the search index and leave a DeletedRecord for harvesters (OAI-PMH)."""
    locked = Record.objects.select_for_update().get(pk=record.pk)
    DeletedRecord.objects.create(
        record_id=locked.pk,
        control_number=locked.control_number,
        marc_format=locked.marc_format,
        resource_type=locked.resource_type,
        deleted_at=now or timezone.now(),
    )
    events.record(
        "catalog.record_deleted",
        actor=actor,
        target=locked,
        data={"title": locked.title, "control_number": locked.control_number, "isbn": locked.isbn},
    )
    search_index.remove_records([locked.pk])
    locked.delete()


def import_marc(
    *,
    source: str | Path | BinaryIO,
    actor: Any = None,
    library: Library | None = None,
    marc_format: str = "auto",
    encoding: str = "auto",
    match: str = "isbn",
    batch_size: int = 1000,
    reject_path: Path | None = None,
    progress: Progress | None = None,
    job: ImportJob | None = None,
) -> ImportSummary:
    """Import an ISO 2709 or MARCXML file in batches, updating matched records instead of duplicating them.

    match="isbn" matches on the ISBN-13 (on the 001 control number when a record has no ISBN),
    "control-number" on 001 only, "none" always creates. Each batch is one transaction with its index
    update and one audit event. Broken records are counted, kept in the summary and, when reject_path is
    given, written to reject_path + ".mrc" (or ".xml") with a ".tsv" of position, offset and reason.
    """
    return importing.run(
        source=source,
        actor=actor,
        library=library,
        marc_format=marc_format,
        encoding=encoding,
        match=match,
        batch_size=batch_size,
        reject_path=reject_path,
        progress=progress,
        job=job,
    )
