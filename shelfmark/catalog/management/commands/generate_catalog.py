"""`shelfmark generate-catalog`: write a realistic generated Chinese catalogue (ISO 2709, UTF-8)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelfmark.catalog.generate import write_catalog


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # writes a file only: no database, no URLs
    help = "Write N generated Chinese MARC records (CNMARC and MARC21 mixed) for benchmarks and demos."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--records", type=int, required=True, help="number of records to write")
        parser.add_argument("--out", default="catalog.mrc", help="output file, or - for standard output")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same file")
        parser.add_argument("--cnmarc-share", type=float, default=0.5, help="share of CNMARC records (0 to 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        records, share = options["records"], options["cnmarc_share"]
        if records < 0:
            raise CommandError("--records must be zero or more")
        if not 0 <= share <= 1:
            raise CommandError("--cnmarc-share must be between 0 and 1")
        started = time.perf_counter()
        out = sys.stdout.buffer if options["out"] == "-" else options["out"]
        written = write_catalog(out, records=records, seed=options["seed"], cnmarc_share=share)
        elapsed = max(time.perf_counter() - started, 1e-9)
        self.stderr.write(
            f"wrote {written} records to {options['out']} in {elapsed:.1f} s ({written / elapsed:,.0f} records/s)"
        )
