"""Keep the search index and its vocabulary current: upsert on every record write, remove on delete, rebuild on
demand (the vocabulary only grows between rebuilds; see vocabulary)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction

from shelfmark.catalog.models import Record

from . import vocabulary
from .backends import backend
from .backends.base import SearchBackend
from .tokens import Prepared, prepare_tokens, record_tokens

REBUILD_BATCH = 1000


def index_records(records: Sequence[Record], *, prepared: Sequence[Prepared] | None = None) -> None:
    """Upsert the index rows of these records, in the caller's transaction (one statement batch).

    `prepared` holds each record's tokens.prepare_tokens when the caller computed them already (the import).
    """
    if prepared is None:
        prepared = [prepare_tokens(record) for record in records]
    backend().write([record_tokens(record, tokens) for record, tokens in zip(records, prepared, strict=True)])
    vocabulary.add(records, terms=[tokens[2] for tokens in prepared])


def remove_records(record_ids: Sequence[int]) -> None:
    """Remove the index rows of these records (deleting a Record also removes its row by itself)."""
    if record_ids:
        backend().delete(record_ids)


def rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Re-index every record in one transaction, streaming in id order; return how many were indexed.

    Searches keep seeing the old index until the rebuild commits. `progress(done, total)` is called
    after each batch.
    """
    engine = backend()
    total = Record.objects.count()
    done = 0
    with transaction.atomic():
        engine.clear()
        vocabulary.clear()
        batch: list[Record] = []
        records = Record.objects.defer("marc").order_by("id")
        for record in records.iterator(chunk_size=REBUILD_BATCH):
            batch.append(record)
            if len(batch) == REBUILD_BATCH:
                done += _write(engine, batch, progress, done, total)
                batch = []
        if batch:
            done += _write(engine, batch, progress, done, total)
        engine.finish_rebuild()
    return done


def _write(
    engine: SearchBackend,
    batch: list[Record],
    progress: Callable[[int, int], None] | None,
    done: int,
    total: int,
) -> int:
    prepared = [prepare_tokens(record) for record in batch]
    engine.write([record_tokens(record, tokens) for record, tokens in zip(batch, prepared, strict=True)])
    vocabulary.add(batch, terms=[tokens[2] for tokens in prepared])
    if progress is not None:
        progress(done + len(batch), max(total, done + len(batch)))
    return len(batch)
