"""What a search engine must do: store token rows, and turn a query tree into an id-selecting SQL."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol

from ..query import Node
from ..tokens import RecordTokens

TABLE = "catalog_search"
# SQLite's narrow row per record (record_id + tokens.FACET_COLUMNS) beside the FTS5 table; PostgreSQL
# keeps these columns in catalog_search itself. Ranking, filters and facets read them, never catalog_record.
FACETS = "catalog_search_facets"
Sql = tuple[str, list[Any]]


class SearchBackend(Protocol):
    """One engine. Every statement runs on the default connection, inside the caller's transaction."""

    # Read a small hit set whole before joining and ordering it (PostgreSQL), instead of letting the
    # planner walk records in id order in search of a LIMIT's worth of hits.
    fence_small_results: bool
    # The table whose rows hold record_id and tokens.FACET_COLUMNS, one per indexed record.
    rows_table: str
    # Whether a short year range is better matched as year tokens too, beside the year column's bounds.
    year_tokens: bool

    def write(self, rows: Sequence[RecordTokens]) -> None:
        """Insert or replace the index rows of these records."""

    def delete(self, record_ids: Sequence[int]) -> None:
        """Remove the index rows of these records."""

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""

    def finish_rebuild(self) -> None:
        """Tidy up after a full rebuild (merge segments, analyse)."""

    # Whether `matches(..., flag=...)` can tell per hit whether it also matches another tree, so that one
    # pass over the hits yields the count, the ranked page and the facet sample (PostgreSQL, where each
    # pass visits every hit's heap row); FTS5 reads doclists cheaply and keeps one statement per tier.
    one_pass: bool

    def matches(
        self,
        node: Node,
        phrases: Sequence[str],
        *,
        minus: Node | None = None,
        with_rows: bool = True,
        flag: Node | None = None,
    ) -> Sql:
        """Return a SELECT of `record_id` (and FACET_COLUMNS when `with_rows`) of the records matching `node`
        and not `minus`, with the phrases; unordered, the caller orders by record_id. With `flag` (only when
        `one_pass`), a last boolean column `flag` says whether the hit also matches that tree."""

    def walk(self, node: Node, phrases: Sequence[str], *, minus: Node | None = None, rows: int) -> Sql:
        """Like `matches(..., with_rows=True)`, but only among the first `rows` index rows in record_id order,
        read in that order (only when `one_pass`): the first hits of a dense tier cost a short walk instead of
        visiting every hit to sort them. Fewer hits than asked may just mean the walk ended."""

    def planning(self) -> AbstractContextManager[None]:
        """Run the statements of one search inside this context (PostgreSQL: planner settings for them)."""

    def bounded(self) -> AbstractContextManager[None]:
        """Run statements that read a tier's hits below an id bound inside this context, within `planning()`
        (PostgreSQL: AND the id range with the text index rather than walk the primary key checking each row)."""

    def exists(self, node: Node, phrases: Sequence[str], id_expr: str) -> Sql:
        """Return a condition true when the record whose id is `id_expr` matches `node` and the phrases."""

    def raw_count(self, node: Node) -> Sql:
        """Return the engine's bare match count for `node`: half of the benchmark's baseline."""

    def raw_page(self, node: Node, limit: int) -> Sql:
        """Return the first `limit` matching ids by the engine's own relevance (FTS5 rank, ts_rank): the
        other half of the baseline, what a developer using the engine directly would write."""
