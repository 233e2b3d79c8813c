"""Read a member's MARC file (ISO 2709 or MARCXML, MARC 21 or CNMARC) into items ready to land, in file order.

Reading is the catalogue's (`catalog.marc.reading.iter_marc`: blocks, broken records reported and skipped,
MARC-8/UTF-8/GB 18030) and so is extraction. A record is identified by its 001 (the member's own record
number) and dated by its 005. Files of a few megabytes and more are prepared by forked worker processes,
chunk by chunk, while this process writes (the import pipeline's layout, `catalog.preparing`): on two cores
that nearly halves a large member file's load.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shelfmark.catalog.marc.reading import iter_marc
from shelfmark.union_catalog.prepare import Incoming, Rejected, control_number, datestamp_005, prepare

PIPELINE_MIN_BYTES = 4 << 20
CHUNK = 500
QUEUE_CHUNKS = 4
MAX_WORKERS = 2


def _items(fh: Any, *, encoding: str, marc_format: str, take: Any = None) -> Iterator[tuple[int, Incoming]]:
    for entry in iter_marc(fh, encoding=encoding, take=take):
        where = f"#{entry.position}"
        if entry.record is None:
            yield entry.position, Rejected(where, entry.error or "unreadable record")
            continue
        number = control_number(entry.record)
        if not number:
            yield (
                entry.position,
                Rejected(where, "the record has no 001 control number, so a later file cannot update it"),
            )
            continue
        prepared = prepare(
            entry.record, identifier=number, datestamp=datestamp_005(entry.record), marc_format=marc_format
        )
        if isinstance(prepared, Rejected):
            prepared = Rejected(f"{where} [{number}]", prepared.reason)
        yield entry.position, prepared


def prepared_file(path: Path, *, encoding: str = "auto", marc_format: str = "auto") -> Iterator[tuple[int, Incoming]]:
    """Yield (position, item) for every record of the file, in file order."""
    size = path.stat().st_size
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    with path.open("rb") as fh:
        if size < PIPELINE_MIN_BYTES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from _items(fh, encoding=encoding, marc_format=marc_format)
            return
        yield from _from_workers(fh, workers=workers, encoding=encoding, marc_format=marc_format)


class _PositionalReader:
    """Read a file descriptor shared with other processes without moving its offset (os.pread)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = max(os.fstat(self._fd).st_size - self._at, 0)
        data = os.pread(self._fd, size, self._at)
        self._at += len(data)
        return data

    def tell(self) -> int:
        return self._at


def _from_workers(fh: Any, *, workers: int, encoding: str, marc_format: str) -> Iterator[tuple[int, Incoming]]:
    """Chunk n of CHUNK positions is prepared by worker n % workers; yield the chunks back in file order."""
    context = multiprocessing.get_context("fork")
    queues: list[Any] = [context.Queue(QUEUE_CHUNKS) for _ in range(workers)]
    processes = [
        context.Process(target=_work, args=(fh.fileno(), queues[k], k, workers, encoding, marc_format), daemon=True)
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


def _work(fd: int, queue: Any, k: int, workers: int, encoding: str, marc_format: str) -> None:
    """One worker: prepare the chunks it owns, in order; an error travels with the chunk it broke."""

    def mine(position: int) -> bool:
        return (position - 1) // CHUNK % workers == k

    chunk: list[tuple[int, Incoming]] = []
    try:
        for position, item in _items(_PositionalReader(fd), encoding=encoding, marc_format=marc_format, take=mine):
            chunk.append((position, item))
            if position % CHUNK == 0:
                queue.put(("items", chunk))
                chunk = []
        if chunk:
            queue.put(("items", chunk))
        queue.put(("end", None))
    except BaseException as exc:  # any failure must reach the loader, after what was prepared
        queue.put(("error", (chunk, _sendable(exc))))
    queue.close()
    queue.join_thread()


def _sendable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # an exception that cannot travel is replaced by its description
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
