"""Time catalogue queries through `selectors.search` and as the bare engine statement (FTS5 MATCH / tsquery).

Imported by bench/catalog.py inside a child process whose Django settings point at the bench database.
The raw baseline is what a developer using the engine directly would write for the same request: the
total count and the first page of 20 ids by the engine's own relevance, two statements built by the
search backend from the parsed query (`raw_count`, `raw_page`: FTS5 `ORDER BY rank`, PostgreSQL
`ORDER BY ts_rank(...) DESC`), no facets, no ranking tiers. A query with only a year bound counts the
year index and reads its first 20 ids instead.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from shelfmark.catalog.search import selectors
from shelfmark.catalog.search.backends import backend
from shelfmark.catalog.search.query import parse

WARM_UP_ROUNDS = 1
PAGE = 20


def raw_statements(q: str) -> list[tuple[str, list[Any]]]:
    """The baseline's two statements for `q`: the total count, then the first page of ids."""
    parsed = parse(q)
    if parsed.match is not None:
        return [backend().raw_count(parsed.match), backend().raw_page(parsed.match, PAGE)]
    low = parsed.year_from if parsed.year_from is not None else -9999
    high = parsed.year_to if parsed.year_to is not None else 9999
    where = "FROM catalog_record WHERE year BETWEEN %s AND %s"
    return [(f"SELECT count(*) {where}", [low, high]), (f"SELECT id {where} ORDER BY id LIMIT %s", [low, high, PAGE])]


def time_search(q: str) -> tuple[float, int]:
    started = time.perf_counter()
    page = selectors.search(q)
    elapsed = (time.perf_counter() - started) * 1000
    return elapsed, int(getattr(page, "total", 0) or 0)


def time_raw(q: str) -> tuple[float, int]:
    (count_sql, count_params), (page_sql, page_params) = raw_statements(q)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(count_sql, count_params)
        count = cursor.fetchone()[0]
        cursor.execute(page_sql, page_params)
        cursor.fetchall()
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
