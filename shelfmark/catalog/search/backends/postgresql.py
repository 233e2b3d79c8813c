"""PostgreSQL: one tsvector of field-tagged lexemes ("t:辽宁") under GIN, phrases checked with pg_trgm.

Lexemes are built in Python and cast verbatim (no text-search parser, which sees a run of Chinese
as one word), so the tsvector holds exactly the tokens FTS5 holds, and tsquery asks what MATCH asks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, transaction

from ..query import All, AnyOf, Node, Term
from ..tokens import FACET_COLUMNS, FIELDS, RecordTokens
from .base import TABLE, Sql

_FACET_TYPES = {"title_key": "text", "resource_type": "text", "language": "text", "year": "int",
                "clc": "text", "library_id": "bigint"}  # fmt: skip
_COLUMNS = ("document", "text", *FACET_COLUMNS)
_UPSERT = f"""
INSERT INTO {TABLE} (record_id, {", ".join(_COLUMNS)})
SELECT u.record_id, u.document::tsvector, {", ".join(f"u.{c}" for c in _COLUMNS[1:])}
FROM unnest(%s::bigint[], %s::text[], %s::text[], {", ".join(f"%s::{_FACET_TYPES[c]}[]" for c in FACET_COLUMNS)})
  AS u(record_id, {", ".join(_COLUMNS)})
ON CONFLICT (record_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS)}
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


# Per search: never a seq scan where the GIN index serves (a broad tsquery, 遼寧 over 67,000 hits, looked cheap to
# the planner as a seq scan that stops at LIMIT, but it evaluated the tsquery on 85,000 rows: 140 ms against 20);
# bitmaps that stay exact when a year range ANDs 200,000 ids with the GIN's (4 MB made them lossy, and every
# row of a lossy page was checked again); no JIT for statements that run in milliseconds.
PLANNER_SETTINGS = {"enable_seqscan": "off", "work_mem": "32MB", "jit": "off"}


# One round trip: the CTE reads the current values (its row exists before the outer SELECT sets the new ones).
_SETTINGS = (
    f"WITH old AS (SELECT {', '.join(f'current_setting(%s) AS v{n}' for n in range(len(PLANNER_SETTINGS)))}) "
    f"SELECT {', '.join(f'old.v{n}' for n in range(len(PLANNER_SETTINGS)))}, "
    f"{', '.join(['set_config(%s, %s, true)'] * len(PLANNER_SETTINGS))} FROM old"
)
_SETTINGS_PARAMS = [*PLANNER_SETTINGS, *(value for item in PLANNER_SETTINGS.items() for value in item)]
_BOUNDED = (
    "WITH old AS (SELECT current_setting('enable_indexscan') AS v) "
    "SELECT old.v, set_config('enable_indexscan', 'off', true) FROM old"
)


def _phrases(phrases: Sequence[str], alias: str) -> Sql:
    return "".join(f" AND {alias}.text LIKE %s" for _ in phrases), [_like(p) for p in phrases]


class PostgresBackend:
    """Search on PostgreSQL tsvector/GIN, with a pg_trgm GIN index serving quoted phrases."""

    # The planner underestimates how rare a tagged lexeme is and walks the primary key in id order
    # hunting for a LIMIT's worth of hits; a fenced subquery makes it take the GIN bitmap first.
    fence_small_results = True
    one_pass = True
    rows_table = TABLE
    # GIN intersects year tokens with the words before the heap is read (see selectors._within_years).
    year_tokens = True

    def write(self, rows: Sequence[RecordTokens]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            facets = [list(column) for column in zip(*(row.facets for row in rows), strict=True)]
            ids, documents, texts = [r.record_id for r in rows], [document(r) for r in rows], [r.text for r in rows]
            cursor.execute(_UPSERT, [ids, documents, texts, *facets])

    def delete(self, record_ids: Sequence[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE record_id = ANY(%s)", [list(record_ids)])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE}")

    def finish_rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")

    def matches(
        self,
        node: Node,
        phrases: Sequence[str],
        *,
        minus: Node | None = None,
        with_rows: bool = True,
        flag: Node | None = None,
    ) -> Sql:
        text = tsquery(node)
        if minus is not None:
            text = f"{text} & !{tsquery(minus)}"
        extra, params = _phrases(phrases, "s")
        columns = "".join(f", s.{c}" for c in FACET_COLUMNS) if with_rows else ""
        flagged: list[str] = []
        if flag is not None:
            # Checked on the row the scan already holds: no second index pass.
            columns += ", s.document @@ %s::tsquery AS flag"
            flagged = [tsquery(flag)]
        sql = f"SELECT s.record_id{columns} FROM {TABLE} s WHERE s.document @@ %s::tsquery{extra}"
        return sql, [*flagged, text, *params]

    def walk(self, node: Node, phrases: Sequence[str], *, minus: Node | None = None, rows: int) -> Sql:
        text = tsquery(node)
        if minus is not None:
            text = f"{text} & !{tsquery(minus)}"
        extra, params = _phrases(phrases, "s")
        # The inner LIMIT keeps the planner on the primary key in order (and bounds the walk); the outer
        # filter runs on each row as it comes, so the caller's LIMIT stops the walk at the last hit it needs.
        inner = ", ".join(("record_id", "document", "text", *FACET_COLUMNS))
        columns = "".join(f", s.{c}" for c in FACET_COLUMNS)
        sql = (
            f"SELECT s.record_id{columns} FROM (SELECT {inner} FROM {TABLE} ORDER BY record_id LIMIT %s) s "
            f"WHERE s.document @@ %s::tsquery{extra}"
        )
        return sql, [rows, text, *params]

    @contextmanager
    def planning(self) -> Iterator[None]:
        """Apply PLANNER_SETTINGS to the search's statements only: SET LOCAL in a transaction (or savepoint) of
        their own, set back afterwards inside a caller's transaction, where SET LOCAL would last until its end."""
        nested = connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_SETTINGS, _SETTINGS_PARAMS)
            previous = cursor.fetchone()[: len(PLANNER_SETTINGS)]
            yield
            # On an error the savepoint's rollback undoes the SET LOCAL by itself.
            if nested:
                pairs = [value for name, old in zip(PLANNER_SETTINGS, previous, strict=True) for value in (name, old)]
                cursor.execute(f"SELECT {', '.join(['set_config(%s, %s, true)'] * len(PLANNER_SETTINGS))}", pairs)

    @contextmanager
    def bounded(self) -> Iterator[None]:
        """Turn plain index scans off around the statements: the planner walks the primary key up to the bound
        and checks the tsquery on every row (7,000 rows, 12 ms, for 20 hits of 社会变迁 社会学), because it
        prices that check low; a bitmap AND of the id range and the GIN reads only the hits (2.5 ms)."""
        with connection.cursor() as cursor:
            cursor.execute(_BOUNDED)
            (previous,) = cursor.fetchone()[:1]
            yield
            cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [previous])

    def exists(self, node: Node, phrases: Sequence[str], id_expr: str) -> Sql:
        extra, params = _phrases(phrases, "s")
        sql = f"EXISTS (SELECT 1 FROM {TABLE} s WHERE s.record_id = {id_expr} AND s.document @@ %s::tsquery{extra})"
        return sql, [tsquery(node), *params]

    def raw_count(self, node: Node) -> Sql:
        return f"SELECT count(*) FROM {TABLE} WHERE document @@ %s::tsquery", [tsquery(node)]

    def raw_page(self, node: Node, limit: int) -> Sql:
        sql = (
            f"SELECT record_id FROM {TABLE} WHERE document @@ %s::tsquery "
            "ORDER BY ts_rank(document, %s::tsquery) DESC LIMIT %s"
        )
        text = tsquery(node)
        return sql, [text, text, limit]
