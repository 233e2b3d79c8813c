"""Keep the query planner's table statistics current after bulk writes.

SQLite has no statistics until ANALYZE runs, and then guesses: on a 1,000,000-record catalogue it picked an index
that made the search page take seconds (bench/RESULTS.md, OPAC 2026-11-26). PostgreSQL without statistics takes
`x IN (1,000 values)` to match every row and scans the table: loading a member's catalogue became quadratic until
autovacuum caught up. So the platform refreshes statistics itself: after every bulk load (import-marc, reindex,
harvest, cluster, the demo), in the daily run, and while a load grows a table (`GrowthWatch`). On SQLite the
refresh samples at most `SQLITE_ANALYSIS_LIMIT` rows an index (`PRAGMA analysis_limit`), which keeps it well under
a second on a large database, as SQLite recommends; PostgreSQL's ANALYZE samples by itself.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from django.db import connections

SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(tables: Sequence[str] = (), *, using: str = "default") -> float:
    """Refresh the planner's statistics of `tables` (every table when none); return the seconds it took."""
    connection = connections[using]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        if not tables:
            cursor.execute("ANALYZE")
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return time.perf_counter() - started


class GrowthWatch:
    """Refresh the statistics of tables a long load is filling each time the rows it added double (from
    `first` rows on): log2(N) refreshes in all, so the planner never works from a table a tenth of its size."""

    def __init__(self, tables: Sequence[str], *, first: int = 5_000, using: str = "default") -> None:
        self.tables, self.using = tuple(tables), using
        self.added = 0
        self.next_at = first

    def added_rows(self, count: int) -> None:
        self.added += count
        if self.added >= self.next_at:
            refresh_statistics(self.tables, using=self.using)
            self.next_at = self.added * 2
