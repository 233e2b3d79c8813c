"""PostgreSQL: one tsvector of field-tagged lexemes ("t:辽宁") under GIN, phrases checked with pg_trgm.

Lexemes are built in Python and cast verbatim (no text-search parser, which sees a run of Chinese
as one word), so the tsvector holds exactly the tokens FTS5 holds, and tsquery asks what MATCH asks.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from ..query import All, AnyOf, Node, Term
from ..tokens import FIELDS, RecordTokens
from .base import TABLE, Sql

_UPSERT = f"""
INSERT INTO {TABLE} (record_id, document, text)
SELECT u.id, u.document::tsvector, u.text FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS u(id, document, text)
ON CONFLICT (record_id) DO UPDATE SET document = EXCLUDED.document, text = EXCLUDED.text
"""


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def document(row: RecordTokens) -> str:
    """Return the tsvector literal of an index row: every token tagged with its field."""
    return " ".join(_quote(f"{field}:{token}") for field in FIELDS for token in row.fields[field])


def tsquery(node: Node) -> str:
    """Compile a query tree to tsquery text over field-tagged lexemes."""
    if isinstance(node, Term):
        star = ":*" if node.prefix else ""
        alternatives = [f"{_quote(f'{field}:{node.token}')}{star}" for field in node.fields]
        return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
    joiner = " & " if isinstance(node, All) else " | "
    assert isinstance(node, All | AnyOf)
    return "(" + joiner.join(tsquery(part) for part in node.parts) + ")"


def _like(phrase: str) -> str:
    return "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrases(phrases: Sequence[str], alias: str) -> Sql:
    return "".join(f" AND {alias}.text LIKE %s" for _ in phrases), [_like(p) for p in phrases]


class PostgresBackend:
    """Search on PostgreSQL tsvector/GIN, with a pg_trgm GIN index serving quoted phrases."""

    def write(self, rows: Sequence[RecordTokens]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                _UPSERT,
                [[row.record_id for row in rows], [document(row) for row in rows], [row.text for row in rows]],
            )

    def delete(self, record_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE record_id = ANY(%s)", [list(record_ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def matches(self, node: Node, phrases: Sequence[str], *, minus: Node | None = None) -> Sql:
        text = tsquery(node)
        if minus is not None:
            text = f"{text} & !{tsquery(minus)}"
        extra, params = _phrases(phrases, "s")
        return f"SELECT s.record_id AS id FROM {TABLE} s WHERE s.document @@ %s::tsquery{extra}", [text, *params]

    def exists(self, node: Node, phrases: Sequence[str], id_expr: str) -> Sql:
        extra, params = _phrases(phrases, "s")
        sql = f"EXISTS (SELECT 1 FROM {TABLE} s WHERE s.record_id = {id_expr} AND s.document @@ %s::tsquery{extra})"
        return sql, [tsquery(node), *params]

    def raw_count(self, node: Node) -> Sql:
        return f"SELECT count(*) FROM {TABLE} WHERE document @@ %s::tsquery", [tsquery(node)]
