"""`shelfmark export-marc`: write the catalogue (or a search's hits) as ISO 2709 or MARCXML."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandParser

from shelfmark.catalog.marc.writing import FORMATS, write_records
from shelfmark.catalog.models import Record

_CHUNK = 2000


class Command(BaseCommand):
    help = "Export records as ISO 2709 (UTF-8) or MARCXML, all of them or those a search query finds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="iso2709")
        parser.add_argument("--query", "-q", help="export only the records this catalogue search finds")
        parser.add_argument("--out", type=Path, help="output file (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        records = _all_records() if options["query"] is None else _found_records(options["query"])
        with ExitStack() as stack:
            out: BinaryIO = stack.enter_context(options["out"].open("wb")) if options["out"] else sys.stdout.buffer
            count = write_records(records, out, fmt=options["fmt"])
        self.stderr.write(f"exported={count} format={options['fmt']} to {options['out'] or 'standard output'}")


def _all_records() -> Iterator[Record]:
    """Stream every record in id order without holding the table in memory."""
    return Record.objects.only("id", "marc").order_by("id").iterator(chunk_size=_CHUNK)


def _found_records(query: str) -> Iterator[Record]:
    """Stream the records a search finds, in id order, fetching them a chunk at a time."""
    from shelfmark.catalog.search.selectors import search_ids

    ids = sorted(search_ids(query))
    for start in range(0, len(ids), _CHUNK):
        yield from Record.objects.only("id", "marc").filter(id__in=ids[start : start + _CHUNK]).order_by("id")
