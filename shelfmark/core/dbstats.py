"""Keep the query planner's table statistics current after bulk writes.

SQLite has no statistics until ANALYZE runs, and then guesses: on a 1,000,000-record catalogue it picked an index
that made the search page take seconds (bench/RESULTS.md, OPAC 2026-11-26). So the platform refreshes them itself
after every bulk load (import-marc, reindex, harvest, cluster, the demo) and in the daily run. On SQLite the
refresh samples at most `SQLITE_ANALYSIS_LIMIT` rows an index (`PRAGMA analysis_limit`), which keeps it well under a
second on a large database and is what SQLite recommends; PostgreSQL's ANALYZE samples by itself.
"""

from __future__ import annotations

import time

from django.db import connections

SQLITE_ANALYSIS_LIMIT = 1000


def refresh_statistics(*, using: str = "default") -> float:
    """Refresh the planner's statistics of every table; return the seconds it took."""
    connection = connections[using]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
    return time.perf_counter() - started
