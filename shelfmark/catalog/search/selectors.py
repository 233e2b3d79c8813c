"""Run a catalogue search: matching ids from the engine, ranked in tiers, paged, with facets.

Ranking is the same on every engine because it is computed from set membership, never from an
engine's score: tier 0, the title equals the query (Record.title_key); tier 1, every free-text word
is in the title; tier 2, the rest; within a tier, by record id. Each tier is read in id order, so a
page costs a LIMIT on the engine's own order rather than a sort of every hit.

Large result sets: `total` counts at most COUNT_CAP hits (`total_exact` is False beyond that) and
facets count the first FACET_SAMPLE hits by record id (`facets_exact` is False beyond that), so a
query that matches half the catalogue costs no more than one that matches 10,000 records.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from shelfmark.catalog.models import Record
from shelfmark.core.errors import InvalidInput

from .backends import backend
from .backends.base import SearchBackend, Sql
from .facets import DIMENSIONS, FacetValue, dimension
from .query import Node, ParsedQuery, parse

COUNT_CAP = 10_000
FACET_SAMPLE = 10_000
MAX_PER_PAGE = 100
_RECORD = Record._meta.db_table
_STREAM_BATCH = 2000

__all__ = ["FacetValue", "SearchResult", "search", "search_ids"]


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, the (possibly capped) total, and the facets of all hits."""

    total: int
    page: int
    per_page: int
    hits: list[Record]
    facets: dict[str, list[FacetValue]]
    query: ParsedQuery
    total_exact: bool = True
    facets_exact: bool = True
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page


@dataclass(frozen=True)
class _Tier:
    """A slice of the ranking: records matching `node` (and not `minus`), with extra record conditions."""

    node: Node | None
    minus: Node | None = None
    conditions: tuple[Sql, ...] = ()


class _Plan:
    """The SQL for one parsed query and its facet filters."""

    def __init__(self, query: ParsedQuery, filters: dict[str, str], engine: SearchBackend) -> None:
        self.query = query
        self.engine = engine
        self.conditions: list[Sql] = [dimension(key).where(str(value)) for key, value in filters.items()]
        if query.year_from is not None:
            self.conditions.append(("r.year >= %s", [query.year_from]))
        if query.year_to is not None:
            self.conditions.append(("r.year <= %s", [query.year_to]))

    # -- tiers -------------------------------------------------------------------------------------------
    def exact_ids(self) -> list[int]:
        q = self.query
        if q.match is None or not q.exact_key:
            return []
        exists_sql, exists_params = self.engine.exists(q.match, q.phrases, "r.id")
        where, params = self._where([("r.title_key = %s", [q.exact_key]), (exists_sql, exists_params)])
        return self._ids(f"SELECT r.id FROM {_RECORD} r WHERE {where} ORDER BY r.id", params)

    def tiers(self) -> list[_Tier]:
        q = self.query
        if q.match is None:
            return [_Tier(None)]
        others: tuple[Sql, ...] = (("r.title_key <> %s", [q.exact_key]),) if q.exact_key else ()
        if q.title_match is None:
            return [_Tier(q.match, None, others)]
        return [_Tier(q.title_match, None, others), _Tier(q.match, q.title_match, others)]

    def _base(self, tier: _Tier) -> Sql:
        if tier.node is None:
            return f"SELECT id FROM {_RECORD}", []
        return self.engine.matches(tier.node, self.query.phrases, minus=tier.minus)

    def _select(self, tier: _Tier, columns: str = "m.id", extra: Sequence[Sql] = ()) -> Sql:
        """Return `SELECT columns FROM <tier hits> m [JOIN catalog_record r] WHERE ...` (no ORDER/LIMIT)."""
        base, params = self._base(tier)
        conditions = [*self.conditions, *tier.conditions, *extra]
        join = conditions or "r." in columns
        sql = f"SELECT {columns} FROM ({base}) m"
        if join:
            sql += f" JOIN {_RECORD} r ON r.id = m.id"
        if conditions:
            where, where_params = self._where(conditions)
            sql += f" WHERE {where}"
            params = [*params, *where_params]
        return sql, params

    def page_ids(self, tier: _Tier, limit: int, offset: int) -> list[int]:
        sql, params = self._select(tier)
        return self._ids(f"{sql} ORDER BY m.id LIMIT %s OFFSET %s", [*params, limit, offset])

    def count(self, tier: _Tier, cap: int) -> int:
        sql, params = self._select(tier)
        return self._scalar(f"SELECT count(*) FROM ({sql} LIMIT %s) c", [*params, cap])

    def after_ids(self, tier: _Tier, after: int, limit: int) -> list[int]:
        sql, params = self._select(tier, extra=[("m.id > %s", [after])])
        return self._ids(f"{sql} ORDER BY m.id LIMIT %s", [*params, limit])

    # -- whole result --------------------------------------------------------------------------------------
    def all_hits(self) -> _Tier:
        return _Tier(self.query.match)

    def facet_rows(self, columns: Sequence[str]) -> list[dict[str, Any]]:
        names = list(dict.fromkeys(columns))
        sql, params = self._select(self.all_hits(), ", ".join(f"r.{c}" for c in names))
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} ORDER BY m.id LIMIT %s", [*params, FACET_SAMPLE])
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # -- helpers -----------------------------------------------------------------------------------------
    @staticmethod
    def _where(conditions: Sequence[Sql]) -> Sql:
        return " AND ".join(f"({sql})" for sql, _ in conditions), [p for _, ps in conditions for p in ps]

    @staticmethod
    def _ids(sql: str, params: list[Any]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]

    @staticmethod
    def _scalar(sql: str, params: list[Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.fetchone()[0])


def _ranked_page(plan: _Plan, offset: int, limit: int) -> list[int]:
    """Return `limit` ids from `offset` of the ranking: tier 0, then each tier read in id order."""
    exact = plan.exact_ids()
    ids = exact[offset : offset + limit]
    offset = max(0, offset - len(exact))
    for tier in plan.tiers():
        need = limit - len(ids)
        if need <= 0:
            break
        found = plan.page_ids(tier, need, offset)
        if found:
            ids += found
            offset = 0
        elif offset:
            offset -= plan.count(tier, offset)
    return ids


def search(
    q: str,
    *,
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
    filters: dict[str, str] | None = None,
) -> SearchResult:
    """Search the catalogue: parse `q`, rank, return page `page` and the facets of every hit."""
    if page < 1:
        raise InvalidInput("page must be 1 or more", field="page")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}", field="per_page")
    chosen = {key: str(value) for key, value in (filters or {}).items() if str(value)}
    query = parse(q)
    plan = _Plan(query, chosen, backend())
    counted = plan.count(plan.all_hits(), COUNT_CAP + 1)
    ids = _ranked_page(plan, (page - 1) * per_page, per_page) if counted else []
    by_id = Record.objects.select_related("library").in_bulk(ids)
    found_facets: dict[str, list[FacetValue]] = {}
    if facets and counted:
        rows = plan.facet_rows([c for d in DIMENSIONS for c in d.columns])
        found_facets = {d.key: d.count(rows) for d in DIMENSIONS}
    return SearchResult(
        total=min(counted, COUNT_CAP),
        page=page,
        per_page=per_page,
        hits=[by_id[pk] for pk in ids if pk in by_id],
        facets=found_facets,
        query=query,
        total_exact=counted <= COUNT_CAP,
        facets_exact=counted <= FACET_SAMPLE,
        filters=chosen,
    )


def search_ids(q: str, *, filters: dict[str, str] | None = None) -> Iterator[int]:
    """Yield every matching record id in ranking order, reading in batches (for export)."""
    plan = _Plan(parse(q), {k: str(v) for k, v in (filters or {}).items() if str(v)}, backend())
    yield from plan.exact_ids()
    for tier in plan.tiers():
        after = 0
        while True:
            batch = plan.after_ids(tier, after, _STREAM_BATCH)
            yield from batch
            if len(batch) < _STREAM_BATCH:
                break
            after = batch[-1]
