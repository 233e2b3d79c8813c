"""What a search engine must do: store token rows, and turn a query tree into an id-selecting SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..query import Node
from ..tokens import RecordTokens

TABLE = "catalog_search"
Sql = tuple[str, list[Any]]


class SearchBackend(Protocol):
    """One engine. Every statement runs on the default connection, inside the caller's transaction."""

    def write(self, rows: Sequence[RecordTokens]) -> None:
        """Insert or replace the index rows of these records."""

    def delete(self, record_ids: Sequence[int]) -> None:
        """Remove the index rows of these records."""

    def clear(self) -> None:
        """Empty the index (before a rebuild)."""

    def finish_rebuild(self) -> None:
        """Tidy up after a full rebuild (merge segments, analyse)."""

    def matches(self, node: Node, phrases: Sequence[str], *, minus: Node | None = None) -> Sql:
        """Return `SELECT <record id> AS id ...` for records matching `node` and not `minus`, phrases included."""

    def exists(self, node: Node, phrases: Sequence[str], id_expr: str) -> Sql:
        """Return a condition true when the record whose id is `id_expr` matches `node` and the phrases."""

    def raw_count(self, node: Node) -> Sql:
        """Return the engine's bare match count for `node`, the baseline the benchmark compares with."""
