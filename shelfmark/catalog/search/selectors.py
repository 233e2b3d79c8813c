"""Run a catalogue search: matching ids from the engine, ranked in tiers, paged, with facets.

Ranking is the same on every engine because it is computed from set membership, never from an
engine's score: tier 0, the title equals the query (Record.title_key); tier 1, every free-text word
is in the title; tier 2, the rest; within a tier, by record id. Each tier is read in id order, so a
page costs a LIMIT on the engine's own order rather than a sort of every hit.

Large result sets: `total` counts at most COUNT_CAP hits (`total_exact` is False beyond that) and
facets count the first FACET_SAMPLE hits by record id (`facets_exact` is False beyond that), so a
query that matches half the catalogue costs no more than one that matches COUNT_CAP records.

Other orders (`sort`): "year" (newest first, then by id) and "title" (the folded title: simplified, lower case,
no punctuation; Chinese characters in Unicode's radical-and-stroke order, Latin letters alphabetically). Within
COUNT_CAP hits every hit is known and the page is cut from all of them, sorted. Beyond it, "year" stays exact by
reading only the newest years first (from this year back, widening until a page's worth is found, see _newest),
and "title" orders the COUNT_CAP + 1 hits read first (`sort_exact` is False: a reader narrows with facets).
Relevance, the default, runs exactly as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from shelfmark.catalog.models import Record
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Library

from .backends import backend
from .backends.base import SearchBackend, Sql
from .facets import DIMENSIONS, FacetValue, dimension
from .query import All, AnyOf, Node, ParsedQuery, Term, parse
from .tier_reads import Sample, choose
from .tokens import FACET_COLUMNS

# Counting is the floor of a search's cost on PostgreSQL: GIN has no index-only scans, so every hit counted is
# a heap visit (one 8 kB page per hit for all but the broadest queries). At 1,000,000 records a cap of 10,000
# cost ~9,300 page reads per broad query (30-40 ms from the OS cache); 2,000 costs a fifth of that, and it is
# where the facet sample stops being exact anyway. FTS5 counts from doclists, but both engines say the same.
COUNT_CAP = 2_000
FACET_SAMPLE = 2_000
# A year range of at most this many years is also matched as year tokens (see _within_years).
YEAR_TOKENS = 30
MAX_PER_PAGE = 100
RELEVANCE, NEWEST, TITLE = "relevance", "year", "title"
# The order of each sort over hit rows (record_id and tokens.FACET_COLUMNS).
ORDERS = {NEWEST: "year DESC NULLS LAST, record_id", TITLE: "title_key, record_id"}
SORTS = (RELEVANCE, *ORDERS)
# Beyond COUNT_CAP hits, "year" first reads the hits of this many years back from the newest, then widens.
_FIRST_YEARS = 2
_WIDEN = 4
_RECORD = Record._meta.db_table
_STREAM_BATCH = 2000
# What lists, the API and `shelfmark search` show of a hit; other fields load on access, like only().
HIT_FIELDS = (
    "id", "marc_format", "title", "title_romanized", "title_key", "responsibility", "authors", "publisher",
    "year", "isbn", "clc_class", "language", "resource_type", "library_id",
)  # fmt: skip

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
    sort: str = RELEVANCE
    # False when the hits were too many to sort whole: the page is ordered among the first COUNT_CAP + 1.
    sort_exact: bool = True

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page


@dataclass(frozen=True)
class _Tier:
    """A slice of the ranking: records matching `node` (and not `minus`), with extra conditions on `f`."""

    node: Node | None
    minus: Node | None = None
    conditions: tuple[Sql, ...] = ()
    exact: bool = False
    # Read by walking this many index rows in record_id order (engine.walk) instead of finding every hit.
    walk: int = 0
    # The tier's number in the one pass's ranking: 0 exact title, 1 title words (or every hit when no word
    # ranks), 2 the rest.
    number: int = 2


class _Plan:
    """The SQL for one parsed query and its facet filters. `f` is the hit's catalog_search_facets row."""

    def __init__(self, query: ParsedQuery, filters: dict[str, str], engine: SearchBackend) -> None:
        self.query = query
        self.filters = filters
        self.engine = engine
        self.fenced = False
        self.conditions: list[Sql] = [dimension(key).where(str(value)) for key, value in filters.items()]
        self.match, self.title_match = query.match, query.title_match
        if engine.year_tokens:
            self.match = _within_years(query.match, query)
            self.title_match = _within_years(query.title_match, query)
        # "+ 0" keeps a year index out of a plan whose text index has narrowed the years already: AND-ing its
        # bitmap of every record in the range (215,000 for 2000-2010) cost more than the hits it would save.
        year = "f.year + 0" if self.match is not query.match else "f.year"
        if query.year_from is not None:
            self.conditions.append((f"{year} >= %s", [query.year_from]))
        if query.year_to is not None:
            self.conditions.append((f"{year} <= %s", [query.year_to]))

    # -- tiers -------------------------------------------------------------------------------------------
    def tiers(self) -> list[_Tier]:
        """Return the ranking's slices in order; each is read in id order with LIMIT, never sorted whole."""
        match, title_match, key = self.match, self.title_match, self.query.exact_key
        if match is None:
            return [_Tier(None)]
        tiers = []
        others: tuple[Sql, ...] = ()
        if key:
            tiers.append(_Tier(match, exact=True, number=0))
            others = (("f.title_key <> %s", [key]),)
        if title_match is None:
            return [*tiers, _Tier(match, None, others, number=1)]
        return [*tiers, _Tier(title_match, None, others, number=1), _Tier(match, title_match, others)]

    def _select(self, tier: _Tier, columns: str = "", extra: Sequence[Sql] = ()) -> tuple[str, str, list[Any]]:
        """Return (`SELECT <id>[, columns] FROM <hits> WHERE ...`, the id expression, params)."""
        conditions = [*self.conditions, *tier.conditions, *extra]
        params: list[Any] = []
        if tier.exact and tier.node is not None:
            # Start from the index rows' (title_key, record_id) index, in id order, and check each one: a LIMIT
            # stops after the page even when hundreds of records share the title (editions of 红楼梦).
            source, id_expr = f"{self.engine.rows_table} f", "f.record_id"
            exact: list[Sql] = [("f.title_key = %s", [self.query.exact_key])]
            conditions = [*exact, self.engine.exists(tier.node, self.query.phrases, id_expr), *conditions]
        elif tier.node is None:
            source, id_expr = f"{self.engine.rows_table} f", "f.record_id"
        elif tier.walk:
            base, params = self.engine.walk(tier.node, self.query.phrases, minus=tier.minus, rows=tier.walk)
            source, id_expr = f"({base}) f", "f.record_id"
        else:
            with_rows = bool(conditions or columns)
            base, params = self.engine.matches(tier.node, self.query.phrases, minus=tier.minus, with_rows=with_rows)
            if self.fenced:
                # Few hits: have the engine find them all first, rather than walk the table in id order.
                base += " OFFSET 0"
            source, id_expr = f"({base}) f", "f.record_id"
        sql = f"SELECT {id_expr}{', ' + columns if columns else ''} FROM {source}"
        if conditions:
            where, where_params = self._where(conditions)
            sql += f" WHERE {where}"
            params = [*params, *where_params]
        return sql, id_expr, params

    def page_ids(self, tier: _Tier, limit: int, offset: int) -> list[int]:
        sql, id_expr, params = self._select(tier)
        return self._ids(f"{sql} ORDER BY {id_expr} LIMIT %s OFFSET %s", [*params, limit, offset])

    def count(self, tier: _Tier, cap: int) -> int:
        sql, _id_expr, params = self._select(tier)
        return self._scalar(f"SELECT count(*) FROM ({sql} LIMIT %s) c", [*params, cap])

    def sorted_ids(self, order: str, limit: int, offset: int, *, first: int = 0) -> list[int]:
        """Return `limit` ids from `offset` of every hit in `order` (ORDERS), or of the `first` hits by id only."""
        sql, id_expr, params = self._select(self.all_hits(), columns="f.year, f.title_key")
        if first:
            sql, params = f"{sql} ORDER BY {id_expr} LIMIT %s", [*params, first]
        return self._ids(f"SELECT s.record_id FROM ({sql}) s ORDER BY {_on('s', order)} LIMIT %s OFFSET %s", [
            *params, limit, offset,
        ])  # fmt: skip

    def after_ids(self, tier: _Tier, after: int, limit: int) -> list[int]:
        sql, id_expr, params = self._select(tier, extra=[("f.record_id > %s", [after])])
        return self._ids(f"{sql} ORDER BY {id_expr} LIMIT %s", [*params, limit])

    # -- whole result --------------------------------------------------------------------------------------
    def all_hits(self) -> _Tier:
        return _Tier(self.match)

    def facets(self) -> dict[str, list[FacetValue]]:
        """Count every dimension over the first FACET_SAMPLE hits (by id) in one statement."""
        sql, id_expr, params = self._select(self.all_hits(), columns=", ".join(f"f.{c}" for c in FACET_COLUMNS))
        branches, branch_params = _facet_branches()
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH s AS ({sql} ORDER BY {id_expr} LIMIT %s) {branches}", [*params, FACET_SAMPLE, *branch_params]
            )
            return _facet_values(cursor.fetchall())

    def one_pass(
        self, offset: int, limit: int, with_facets: bool, order: str = ""
    ) -> tuple[int, list[int], dict[str, list[FacetValue]], Sample]:
        """Read the first COUNT_CAP + 1 hits once, in the engine's order, and return (their count, the ids of
        the ranking from `offset` among them, the facets of the first FACET_SAMPLE of them by id, what they
        tell of the tiers).

        When the count is within COUNT_CAP these are all the hits, so the page is the ranking's and the facet
        sample the first FACET_SAMPLE hits by id, exactly as the tiered reads give them. Beyond the cap the
        caller reads the page by tiers, and the facets describe the first FACET_SAMPLE (by id) of the
        COUNT_CAP + 1 hits the engine yielded first: a sample either way (facets_exact is False).

        With `order` (ORDERS) the page is cut from those hits in that order instead of the ranking's."""
        q = self.query
        assert self.match is not None
        base, params = self.engine.matches(self.match, q.phrases, with_rows=True, flag=self.title_match)
        rank, rank_params = "1", []
        if self.title_match is not None:
            rank = "CASE WHEN f.flag THEN 1 ELSE 2 END"
        if q.exact_key:
            rank, rank_params = f"CASE WHEN f.title_key = %s THEN 0 ELSE {rank} END", [q.exact_key]
        columns = ", ".join(f"f.{c}" for c in FACET_COLUMNS)
        sql = f"SELECT f.record_id, {columns}, {rank} AS tier FROM ({base}) f"
        params = [*rank_params, *params]
        if self.conditions:
            where, where_params = self._where(self.conditions)
            sql, params = f"{sql} WHERE {where}", [*params, *where_params]
        statement = (
            f"WITH h AS MATERIALIZED ({sql} LIMIT %s), s AS (SELECT * FROM h ORDER BY record_id LIMIT %s) "
            "SELECT -2, CAST(NULL AS text), count(*), CAST(NULL AS text) FROM h "
            "UNION ALL SELECT -3, CAST(tier AS text), count(*), NULL FROM h GROUP BY tier "
            "UNION ALL SELECT -4, CAST(min(record_id) AS text), max(record_id), NULL FROM h "
            "UNION ALL SELECT -5, CAST(k.tier AS text), k.record_id, NULL FROM (SELECT tier, record_id, "
            "row_number() OVER (PARTITION BY tier ORDER BY record_id) AS n FROM h) k WHERE k.n = %s "
            f"UNION ALL SELECT -6, NULL, (SELECT max(record_id) FROM {self.engine.rows_table}), NULL "
            "UNION ALL SELECT -1, CAST(p.tier AS text), p.record_id, NULL FROM "
            "(SELECT tier, record_id FROM h ORDER BY tier, record_id LIMIT %s OFFSET %s) p"
        )
        if order:
            # The page's place in the order stands where the tier stands in the ranking's page.
            statement = statement.replace(
                "(SELECT tier, record_id FROM h ORDER BY tier, record_id LIMIT %s OFFSET %s) p",
                f"(SELECT row_number() OVER (ORDER BY {order}) AS tier, record_id FROM h "
                f"ORDER BY {order} LIMIT %s OFFSET %s) p",
            )
        params += [COUNT_CAP + 1, FACET_SAMPLE, offset + limit, limit, offset]
        if with_facets:
            branches, branch_params = _facet_branches()
            statement, params = f"{statement} UNION ALL {branches}", [*params, *branch_params]
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.fetchall()
        counted = next(int(n) for number, _value, n, _label in rows if number == -2)
        page = sorted((int(tier), int(pk)) for number, tier, pk, _label in rows if number == -1)
        found = _facet_values([row for row in rows if row[0] >= 0]) if with_facets and counted else {}
        first, last = next((int(v or 0), int(n or 0)) for number, v, n, _label in rows if number == -4)
        tiers = {int(v): int(n) for number, v, n, _label in rows if number == -3}
        bounds = {int(v): int(n) for number, v, n, _label in rows if number == -5}
        top = next(int(n or 0) for number, _v, n, _label in rows if number == -6)
        sample = Sample(tiers, first, last, top, bounds)
        return counted, [pk for _tier, pk in page], found, sample

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


def _within_years(node: Node | None, query: ParsedQuery) -> Node | None:
    """AND a tree with its year range as year tokens (field o), when the range is short: the engine's index then
    narrows the hits to the years itself (小说 year:2000-2010 read all 18,370 小说 hits for 4,041 in range). Every
    record with a year has its year token, so this only ever drops hits that `f.year` bounds drop too."""
    low, high = query.year_from, query.year_to
    if node is None or low is None or high is None or not 0 <= high - low < YEAR_TOKENS:
        return node
    return All((node, AnyOf(tuple(Term(("o",), str(year)) for year in range(low, high + 1)))))


def _on(alias: str, order: str) -> str:
    """Qualify the columns of an ORDERS entry with a table alias."""
    return ", ".join(f"{alias}.{part.strip()}" for part in order.split(","))


def _sorted_page(
    plan: _Plan, offset: int, limit: int, with_facets: bool, sort: str
) -> tuple[int, list[int], dict[str, list[FacetValue]], bool]:
    """Return (hits counted, the page's ids in the sort's order, facets, whether the order covers every hit)."""
    order = ORDERS[sort]
    engine = plan.engine
    if engine.one_pass and plan.match is not None:
        counted, ids, found, _sample = plan.one_pass(offset, limit, with_facets, order=order)
    else:
        counted = plan.count(plan.all_hits(), COUNT_CAP + 1)
        plan.fenced = engine.fence_small_results and counted <= COUNT_CAP
        found = plan.facets() if with_facets and counted else {}
        first = COUNT_CAP + 1 if counted > COUNT_CAP else 0
        ids = plan.sorted_ids(order, limit, offset, first=first) if counted else []
    if counted <= COUNT_CAP:
        return counted, ids, found, True
    if sort == NEWEST:
        return counted, _newest(plan, offset, limit), found, True
    return counted, ids, found, False


def _newest(plan: _Plan, offset: int, limit: int) -> list[int]:
    """Return a page of a large result newest first, exactly: read the hits of the last few years only, and widen
    the years until they hold the page's end (every hit of an earlier year sorts after them); then, if the years
    never held it, every hit. Each read is bounded by the years' hits, not by the result's."""
    query = plan.query
    top = query.year_to if query.year_to is not None else timezone.localdate().year
    span = _FIRST_YEARS
    while query.year_from is None or top - span + 1 > query.year_from:
        recent = replace(query, year_from=top - span + 1)
        # Not fenced: PostgreSQL ANDs the year index's bitmap with the text index's before reading any hit.
        ids = _Plan(recent, plan.filters, plan.engine).sorted_ids(ORDERS[NEWEST], offset + limit, 0)
        if len(ids) == offset + limit:
            return ids[offset:]
        span *= _WIDEN
        if span > 1000:
            break
    return plan.sorted_ids(ORDERS[NEWEST], limit, offset)


def _facet_branches() -> Sql:
    """Every dimension's counts over the sample `s`, as one UNION ALL of (facet number, value, count, label)."""
    branches, params = [], []
    for number, candidate in enumerate(DIMENSIONS):
        group, group_params = candidate.group_sql("s")
        branches.append(f"SELECT {number} AS facet, g.* FROM ({group}) g")
        params += group_params
    return " UNION ALL ".join(branches), params


def _facet_values(rows: Sequence[Sequence[Any]]) -> dict[str, list[FacetValue]]:
    counts: dict[int, list[tuple[str, int, str | None]]] = {n: [] for n in range(len(DIMENSIONS))}
    for number, value, n, label in rows:
        counts[number].append((str(value), int(n), None if label is None else str(label)))
    return {d.key: d.values(counts[n]) for n, d in enumerate(DIMENSIONS)}


def _ranked_page(plan: _Plan, offset: int, limit: int, sample: Sample | None = None) -> list[int]:
    """Return `limit` ids from `offset` of the ranking, reading each tier in id order."""
    ids: list[int] = []
    for tier in plan.tiers():
        need = limit - len(ids)
        if need <= 0:
            break
        found = _tier_page(plan, tier, need, offset, sample)
        if found:
            ids += found
            offset = 0
        elif offset:
            offset -= plan.count(tier, offset)
    return ids


def _tier_page(plan: _Plan, tier: _Tier, limit: int, offset: int, sample: Sample | None) -> list[int]:
    """Return `limit` ids of a tier from `offset`, reading as few of its hits as the one-pass sample allows
    (see tier_reads)."""
    if sample is None or tier.exact:
        return plan.page_ids(tier, limit, offset)
    read = choose(sample, tier.number, offset + limit)
    if read.below:
        below = replace(tier, conditions=(*tier.conditions, ("f.record_id <= %s", [read.below])))
        with plan.engine.bounded() if read.bitmap else nullcontext():
            return plan.page_ids(below, limit, offset)
    if read.walk:
        walked = plan.page_ids(replace(tier, walk=read.walk), limit, offset)
        # A full page from the walk is the tier's: every hit beyond the walked rows has a larger id.
        if len(walked) == limit:
            return walked
    return plan.page_ids(tier, limit, offset)


def search(
    q: str,
    *,
    page: int = 1,
    per_page: int = 20,
    facets: bool = True,
    filters: dict[str, str] | None = None,
    sort: str = RELEVANCE,
) -> SearchResult:
    """Search the catalogue: parse `q`, rank (or sort: SORTS), return page `page` and the facets of every hit."""
    if page < 1:
        raise InvalidInput("page must be 1 or more", field="page")
    if sort not in SORTS:
        raise InvalidInput(f"sort must be one of {', '.join(SORTS)}", field="sort")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PER_PAGE}", field="per_page")
    chosen = {key: str(value) for key, value in (filters or {}).items() if str(value)}
    query = parse(q)
    engine = backend()
    plan = _Plan(query, chosen, engine)
    offset = (page - 1) * per_page
    found_facets: dict[str, list[FacetValue]] = {}
    sort_exact = True
    with engine.planning():
        if sort != RELEVANCE:
            counted, ids, found_facets, sort_exact = _sorted_page(plan, offset, per_page, facets, sort)
        elif engine.one_pass and query.match is not None:
            counted, ids, found_facets, sample = plan.one_pass(offset, per_page, facets)
            if counted > COUNT_CAP:
                ids = _ranked_page(plan, offset, per_page, sample)
        else:
            counted = plan.count(plan.all_hits(), COUNT_CAP + 1)
            plan.fenced = engine.fence_small_results and counted <= COUNT_CAP
            ids = _ranked_page(plan, offset, per_page) if counted else []
            if facets and counted:
                found_facets = plan.facets()
        by_id = load_hits(ids)
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
        sort=sort,
        sort_exact=sort_exact,
    )


_Column = tuple[Field, Any, list[Any]]  # field, its Col expression, the converters the ORM would apply


_COLUMNS: dict[tuple[str, type[Model], str, tuple[str, ...] | None], list[_Column]] = {}


def _columns(model: type[Model], alias: str, names: Sequence[str] | None = None) -> list[_Column]:
    """The concrete fields of `model` (those named, else all) in the order from_db wants, with converters."""
    key = (connection.vendor, model, alias, None if names is None else tuple(names))
    if key not in _COLUMNS:
        _COLUMNS[key] = _find_columns(model, alias, names)
    return _COLUMNS[key]


def _find_columns(model: type[Model], alias: str, names: Sequence[str] | None) -> list[_Column]:
    chosen = []
    for item in model._meta.concrete_fields:
        if names is not None and item.attname not in names:
            continue
        col = item.get_col(alias)
        chosen.append((item, col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]))
    return chosen


def _instance(model: type[Model], columns: list[_Column], values: Sequence[Any]) -> Any:
    converted = []
    for (_item, col, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, col, connection)
        converted.append(value)
    return model.from_db(connection.alias, [item.attname for item, _col, _conv in columns], converted)


def load_hits(ids: Sequence[int]) -> dict[int, Record]:
    """Return the records with these ids, HIT_FIELDS and their library loaded, in one statement of plain SQL
    (the ORM's query compilation cost more than the query itself)."""
    if not ids:
        return {}
    records = _columns(Record, "r", HIT_FIELDS)
    libraries = _columns(Library, "l")
    select = ", ".join(f"{col.alias}.{item.column}" for item, col, _conv in [*records, *libraries])
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"SELECT {select} FROM {_RECORD} r LEFT JOIN {Library._meta.db_table} l ON l.id = r.library_id "
        f"WHERE r.id IN ({marks})"
    )
    found: dict[int, Record] = {}
    library_field = Record._meta.get_field("library")
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        for row in cursor.fetchall():
            record = _instance(Record, records, row[: len(records)])
            library_row = row[len(records) :]
            library = None if library_row[0] is None else _instance(Library, libraries, library_row)
            library_field.set_cached_value(record, library)
            found[record.pk] = record
    return found


def search_ids(q: str, *, filters: dict[str, str] | None = None) -> Iterator[int]:
    """Yield every matching record id in ranking order, reading in batches (for export)."""
    plan = _Plan(parse(q), {k: str(v) for k, v in (filters or {}).items() if str(v)}, backend())
    for tier in plan.tiers():
        after = 0
        while True:
            batch = plan.after_ids(tier, after, _STREAM_BATCH)
            yield from batch
            if len(batch) < _STREAM_BATCH:
                break
            after = batch[-1]
