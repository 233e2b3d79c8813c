"""Time catalogue queries through `selectors.search` and as the bare engine statement (FTS5 MATCH / tsquery).

Imported by bench/catalog.py inside a child process whose Django settings point at the bench database.
The raw statement is the search backend's own `raw_count` of the parsed query (the engine's bare match,
no ranking, facets or paging); a query with only a year bound counts the year index instead.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from shelfmark.catalog.search import selectors
from shelfmark.catalog.search.backends import backend
from shelfmark.catalog.search.query import parse

WARM_UP_ROUNDS = 1


def raw_statement(q: str) -> tuple[str, list[Any]]:
    parsed = parse(q)
    if parsed.match is not None:
        return backend().raw_count(parsed.match)
    low = parsed.year_from if parsed.year_from is not None else -9999
    high = parsed.year_to if parsed.year_to is not None else 9999
    return "SELECT count(*) FROM catalog_record WHERE year BETWEEN %s AND %s", [low, high]


def time_search(q: str) -> tuple[float, int]:
    started = time.perf_counter()
    page = selectors.search(q)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, int(getattr(page, "total", 0) or 0)


def time_raw(q: str) -> tuple[float, int]:
    sql, params = raw_statement(q)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count = cursor.fetchone()[0]
    return (time.perf_counter() - started) * 1000, int(count)


def measure(queries: list[str]) -> dict[str, Any]:
    """Warm the caches once, then time every query through the selector and raw; keep the slowest."""
    for _ in range(WARM_UP_ROUNDS):
        for q in queries:
            time_search(q)
            time_raw(q)
    search_ms, raw_ms, slowest = [], [], []
    empty = 0
    for q in queries:
        elapsed, total = time_search(q)
        raw_elapsed, raw_total = time_raw(q)
        search_ms.append(elapsed)
        raw_ms.append(raw_elapsed)
        slowest.append((round(elapsed, 1), round(raw_elapsed, 1), q, total, raw_total))
        empty += total == 0
    slowest.sort(reverse=True)
    return {
        "search_ms": search_ms,
        "raw_ms": raw_ms,
        "slowest": slowest[:10],
        "note": f"{empty} of {len(queries)} queries found nothing;",
    }
