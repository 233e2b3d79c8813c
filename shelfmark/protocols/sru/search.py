"""Run a translated CQL query on the catalogue's search engine: count the hits and read a page of them in id order.

Each plan becomes one SELECT of record ids: index matches are the engine's own statements (FTS5 MATCH, tsquery
under GIN), conditions on records are plain WHERE clauses, and the booleans the engine cannot take in one
expression become INTERSECT, UNION and EXCEPT, which SQLite and PostgreSQL both run on id sets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.backends import backend
from shelfmark.catalog.search.backends.base import SearchBackend
from shelfmark.catalog.search.tokens import fold, strings
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.protocols.bibxml import Holding

from .diagnostics import Diagnostic
from .query import EXACT_CANDIDATES, Boolean, Column, Equals, Everything, Match, Nothing, Plan

Sql = tuple[str, list[Any]]
_RECORDS = Record._meta.db_table
_SET_OPERATORS = {"and": "INTERSECT", "or": "UNION", "not": "EXCEPT"}


def run(plan: Plan, *, offset: int, limit: int) -> tuple[int, list[int]]:
    """Return how many records match, and the ids of `limit` of them from `offset` on, in id order."""
    engine = backend()
    with engine.planning():
        sql, params = _select(plan, engine)
        total = _scalar(f"SELECT count(*) FROM ({sql}) AS hits", params)
        ids: list[int] = []
        if limit and offset < total:
            ids = _ids(
                f"SELECT record_id FROM ({sql}) AS hits ORDER BY record_id LIMIT %s OFFSET %s", [*params, limit, offset]
            )
    return total, ids


def _select(plan: Plan, engine: SearchBackend) -> Sql:
    """Return a SELECT of `record_id` for the plan."""
    if isinstance(plan, Match):
        return engine.matches(plan.node, plan.phrases, with_rows=False)
    if isinstance(plan, Column):
        return f"SELECT id AS record_id FROM {_RECORDS} WHERE {plan.condition}", list(plan.params)
    if isinstance(plan, Everything):
        return f"SELECT id AS record_id FROM {_RECORDS}", []
    if isinstance(plan, Nothing):
        return f"SELECT id AS record_id FROM {_RECORDS} WHERE 1 = 0", []
    if isinstance(plan, Equals):
        return _equals(plan, engine)
    assert isinstance(plan, Boolean)
    if (
        plan.operator == "not"
        and isinstance(plan.left, Match)
        and isinstance(plan.right, Match)
        and not plan.right.phrases
    ):
        # The engine subtracts a tree within its own statement (FTS5 NOT, tsquery & !).
        return engine.matches(plan.left.node, plan.left.phrases, minus=plan.right.node, with_rows=False)
    left, left_params = _select(plan.left, engine)
    right, right_params = _select(plan.right, engine)
    operator = _SET_OPERATORS[plan.operator]
    sql = f"SELECT record_id FROM ({left}) AS a {operator} SELECT record_id FROM ({right}) AS b"
    return sql, [*left_params, *right_params]


def _equals(plan: Equals, engine: SearchBackend) -> Sql:
    """Check the records that have the words, one by one, for a value equal to the term."""
    sql, params = engine.matches(plan.candidates.node, plan.candidates.phrases, with_rows=False)
    candidates = _ids(
        f"SELECT record_id FROM ({sql}) AS hits ORDER BY record_id LIMIT %s", [*params, EXACT_CANDIDATES + 1]
    )
    if len(candidates) > EXACT_CANDIDATES:
        raise Diagnostic(60, f"more than {EXACT_CANDIDATES} records have these words; narrow the == term")
    equal = [
        record.pk
        for record in Record.objects.filter(pk__in=candidates).only("id", *plan.fields)
        if any(fold(value) == plan.value for field in plan.fields for value in strings(getattr(record, field)))
    ]
    if not equal:
        return f"SELECT id AS record_id FROM {_RECORDS} WHERE 1 = 0", []
    marks = ", ".join(["%s"] * len(equal))
    return f"SELECT id AS record_id FROM {_RECORDS} WHERE id IN ({marks})", equal


def records(ids: Sequence[int]) -> list[Record]:
    """Load the records of a page, in the page's order."""
    by_id = Record.objects.in_bulk(list(ids))
    return [by_id[pk] for pk in ids if pk in by_id]


def holdings(ids: Sequence[int]) -> dict[int, list[Holding]]:
    """Return the copies of the records, withdrawn ones left out, for their MARCXML."""
    found: dict[int, list[Holding]] = defaultdict(list)
    rows = (
        Item.objects.filter(record_id__in=list(ids))
        .exclude(status=ItemStatus.WITHDRAWN)
        .order_by("id")
        .values_list("record_id", "home_library__code", "shelving_location", "call_number", "barcode")
    )
    for record_id, code, location, call_number, barcode in rows:
        found[record_id].append(Holding(code, location, call_number, barcode))
    return found


def _ids(sql: str, params: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _scalar(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        return int(row[0]) if row else 0
