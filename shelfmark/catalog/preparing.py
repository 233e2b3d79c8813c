"""Prepare MARC records for the import: read, extract fields and cut search tokens, in a worker process.

Reading, extraction and tokenising are pure Python and take three quarters of an import's time; the
writes the other quarter. On a machine with two or more cores a forked worker prepares chunks of
records while the importing process writes the previous ones, through a bounded queue (memory stays
flat). The worker sends plain data only, in file order, so the importer sees exactly the items it
would have prepared itself: same order, same rejects at the same positions, the same failure after
the same records. Small files, platforms without fork and file objects that are not real files are
prepared in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from shelfmark.catalog.marc.extract import RecordFields, extract
from shelfmark.catalog.marc.reading import MarcEntry, iter_marc
from shelfmark.catalog.search.tokens import Prepared, prepare_tokens
from shelfmark.core.errors import DomainError

# Files smaller than this are prepared in-process: starting a worker would cost more than it saves.
PIPELINE_MIN_BYTES = 4 << 20
CHUNK = 250  # records per message from the worker
QUEUE_CHUNKS = 4  # chunks in flight per worker at most (a few MB)
MAX_WORKERS = 2


@dataclass(slots=True)
class Good:
    """A record ready to land: its fields (marc emptied), MARC-in-JSON text and search tokens."""

    position: int
    done: int  # bytes of the file read once this record was
    values: RecordFields
    marc_json: str
    tokens: Prepared


@dataclass(slots=True)
class Bad:
    """A record that cannot land: where it is, why, and its bytes for the reject file."""

    position: int
    done: int
    offset: int
    reason: str
    control_number: str
    raw: bytes


Item = Good | Bad


def prepare(
    fh: BinaryIO, *, encoding: str, marc_format: str, take: Callable[[int], bool] | None = None
) -> Iterator[Item]:
    """Yield every record of the file (or those whose position `take` accepts) as a Good or a Bad item."""
    done = 0
    for entry in iter_marc(fh, encoding=encoding, take=take):
        done = entry.offset + len(entry.raw) if entry.offset >= 0 else _tell(fh, done)
        yield _item(entry, done, marc_format)


def _item(entry: MarcEntry, done: int, marc_format: str) -> Item:
    reason = entry.error
    control_number = ""
    if entry.record is not None:
        control_number = _control_number(entry)
        try:
            values = extract(entry.record, marc_format=marc_format)
        except DomainError as exc:
            reason = str(exc.message)
        except Exception as exc:  # one odd record must not stop the other 99,999 (house rule 10)
            reason = f"fields could not be extracted: {type(exc).__name__}: {exc}"
        else:
            marc_json = orjson.dumps(values.marc).decode()
            values.marc = {}
            return Good(entry.position, done, values, marc_json, prepare_tokens(values))
    return Bad(entry.position, done, entry.offset, reason or "unreadable record", control_number, entry.raw)


def _control_number(entry: MarcEntry) -> str:
    assert entry.record is not None
    f001 = entry.record.get("001")
    return (f001.data or "").strip()[:64] if f001 is not None and f001.control_field else ""


def _tell(fh: BinaryIO, fallback: int) -> int:
    try:
        return fh.tell()
    except (AttributeError, OSError):
        return fallback


def prepared_items(fh: BinaryIO, *, size: int, encoding: str, marc_format: str) -> Generator[Item, None, None]:
    """Yield the file's items, prepared by worker processes when that pays off, else in-process."""
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    if size < PIPELINE_MIN_BYTES or not _has_fd(fh) or "fork" not in multiprocessing.get_all_start_methods():
        yield from prepare(fh, encoding=encoding, marc_format=marc_format)
        return
    yield from _from_workers(fh, workers=workers, encoding=encoding, marc_format=marc_format)


def _has_fd(fh: BinaryIO) -> bool:
    try:
        fh.fileno()
        fh.tell()
    except (AttributeError, OSError, ValueError):
        return False
    return True


class _PositionalReader:
    """Read a file descriptor shared with other processes without moving its offset (os.pread)."""

    def __init__(self, fd: int, start: int) -> None:
        self._fd = fd
        self._at = start

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = max(os.fstat(self._fd).st_size - self._at, 0)
        data = os.pread(self._fd, size, self._at)
        self._at += len(data)
        return data

    def tell(self) -> int:
        return self._at


def _from_workers(fh: BinaryIO, *, workers: int, encoding: str, marc_format: str) -> Iterator[Item]:
    """Chunk n of CHUNK positions is prepared by worker n % workers; yield the chunks back in file order."""
    context = multiprocessing.get_context("fork")
    queues: list[Any] = [context.Queue(QUEUE_CHUNKS) for _ in range(workers)]
    start = fh.tell()
    processes = [
        context.Process(
            target=_work,
            args=(fh.fileno(), start, queues[k], k, workers, encoding, marc_format),
            daemon=True,
        )
        for k in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        chunk = 0
        while True:
            kind, payload = queues[chunk % workers].get()
            if kind == "end":
                break
            if kind == "error":
                items, error = payload
                yield from items
                raise error
            yield from payload
            chunk += 1
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join()
        for queue in queues:
            queue.close()
            queue.join_thread()


def _work(fd: int, start: int, queue: Any, k: int, workers: int, encoding: str, marc_format: str) -> None:
    """One worker: prepare the chunks it owns, in order; an error travels with the chunk it broke."""

    def mine(position: int) -> bool:
        return (position - 1) // CHUNK % workers == k

    chunk: list[Item] = []
    try:
        for item in prepare(_PositionalReader(fd, start), encoding=encoding, marc_format=marc_format, take=mine):  # type: ignore[arg-type]
            chunk.append(item)
            if len(chunk) >= CHUNK or item.position % CHUNK == 0:
                queue.put(("items", chunk))
                chunk = []
        if chunk:
            queue.put(("items", chunk))
        queue.put(("end", None))
    except BaseException as exc:  # any failure must reach the importer, after what was prepared
        queue.put(("error", (chunk, _sendable(exc))))
    queue.close()
    queue.join_thread()


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # an exception that cannot travel is replaced by its description
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
