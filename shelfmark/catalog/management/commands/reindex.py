"""`shelfmark reindex`: rebuild the catalogue search index, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from shelfmark.catalog.search.index import rebuild
from shelfmark.core.dbstats import refresh_statistics


class Command(BaseCommand):
    help = "Rebuild the search index of every catalogue record (searches see the old index until it is done)."

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(stderr=True)
        started = time.perf_counter()
        columns = (TextColumn("indexing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task("indexing", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            count = rebuild(progress=advance)
        refresh_statistics()
        elapsed = max(time.perf_counter() - started, 1e-9)
        self.stdout.write(f"indexed {count} records in {elapsed:.1f} s ({count / elapsed:,.0f} records/s)")
