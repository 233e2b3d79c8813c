"""Generate a realistic Chinese catalogue in ISO 2709 (UTF-8) for benchmarks and demo data.

A mix of CNMARC and MARC21 records of books across all CLC main classes, with valid ISBN check digits,
some ISBN-10s, some duplicates (the same book catalogued again), some traditional-character titles,
ideographic spaces inside titles and Liaoning local documents. Deterministic for a seed; streamed, so
memory stays flat whatever the record count.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from shelfmark.catalog.generating.books import Book, BookMaker
from shelfmark.catalog.generating.layouts import cnmarc, marc21

# Bumped whenever the output for a seed changes, so that cached benchmark files are rebuilt.
VERSION = 2
DUPLICATE_SHARE = 0.01
_RECENT_BOOKS = 4096


def control_prefix(seed: int) -> str:
    """The prefix of the 001 control numbers generated with this seed (then the 9-digit position)."""
    return f"SMG{seed % 1000:03d}"


def iter_records(records: int, *, seed: int = 1, cnmarc_share: float = 0.5) -> Iterator[bytes]:
    """Yield `records` ISO 2709 records; the first n are the same whatever the total."""
    rng = random.Random(seed)
    maker = BookMaker(rng)
    recent: deque[Book] = deque(maxlen=_RECENT_BOOKS)
    prefix = control_prefix(seed)
    for index in range(records):
        if recent and rng.random() < DUPLICATE_SHARE:
            book = recent[rng.randrange(len(recent))]  # the same book catalogued again (same ISBN)
        else:
            book = maker.make()
            recent.append(book)
        month_day = f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        layout = cnmarc if rng.random() < cnmarc_share else marc21
        yield layout(book, control_number=f"{prefix}{index + 1:09d}", month_day=month_day)


def write_catalog(
    out: str | Path | BinaryIO,
    *,
    records: int,
    seed: int = 1,
    cnmarc_share: float = 0.5,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the generated catalogue to a path or binary file; return the number of records written."""
    if isinstance(out, str | Path):
        with Path(out).open("wb") as fh:
            return write_catalog(fh, records=records, seed=seed, cnmarc_share=cnmarc_share, progress=progress)
    written = 0
    batch: list[bytes] = []
    for record in iter_records(records, seed=seed, cnmarc_share=cnmarc_share):
        batch.append(record)
        if len(batch) == 1000:
            out.write(b"".join(batch))
            written += len(batch)
            batch.clear()
            if progress:
                progress(written)
    out.write(b"".join(batch))
    written += len(batch)
    if progress:
        progress(written)
    return written
