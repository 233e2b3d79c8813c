"""Read model rows with a hand-written WHERE clause: the ORM's own columns and converters, no query compiling.

Circulation's hot path reads a handful of rows per scan. Building each ORM query costs more CPU than
SQLite or PostgreSQL spend answering it, so those reads name their condition in SQL here and still get
real model instances back (same fields, same Python types as the ORM gives).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model

M = TypeVar("M", bound=Model)

_Converter = tuple[list[Callable[..., Any]], Any]


@dataclass(frozen=True)
class _Shape:
    """What reading one model takes on one connection: the column list and each column's converters."""

    columns: str
    table: str
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, _Converter], ...]


_SHAPES: dict[tuple[str, type[Model], tuple[str, ...]], _Shape] = {}


def _shape(model: type[Model], alias: str, defer: tuple[str, ...]) -> _Shape:
    key = (alias, model, defer)
    shape = _SHAPES.get(key)
    if shape is None:
        connection = connections[alias]
        quote = connection.ops.quote_name
        table = model._meta.db_table
        fields = [field for field in model._meta.concrete_fields if field.name not in defer]
        converters = []
        for index, field in enumerate(fields):
            col = field.get_col(table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((index, (found, col)))
        shape = _Shape(
            columns=", ".join(f"{quote(table)}.{quote(str(field.column))}" for field in fields),
            table=quote(table),
            attnames=tuple(field.attname for field in fields),
            converters=tuple(converters),
        )
        _SHAPES[key] = shape
    return shape


def select(
    model: type[M],
    where: str,
    params: Sequence[Any],
    *,
    lock: bool = False,
    limit: int | None = None,
    order_by: str = "",
    defer: tuple[str, ...] = (),
) -> list[M]:
    """Return the rows of `model` matching `where` (placeholders `%s`), locked FOR UPDATE when `lock`.

    Fields named in `defer` are left unread, loaded on first access as with QuerySet.defer(). SQLite has
    no row locks: there the caller's immediate transaction already keeps other writers out.
    """
    alias = router.db_for_read(model) if not lock else router.db_for_write(model)
    connection = connections[alias]
    shape = _shape(model, alias, defer)
    sql = f"SELECT {shape.columns} FROM {shape.table} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for raw in rows:
        values = list(raw)
        for index, (converters, col) in shape.converters:
            value = values[index]
            for convert in converters:
                value = convert(value, col, connection)
            values[index] = value
        found.append(model.from_db(alias, shape.attnames, values))
    return found


def select_one(
    model: type[M], where: str, params: Sequence[Any], *, lock: bool = False, defer: tuple[str, ...] = ()
) -> M | None:
    """Return the first row of `model` matching `where`, or None."""
    found = select(model, where, params, lock=lock, limit=1, defer=defer)
    return found[0] if found else None


def insert(instance: M) -> M:
    """Insert a new model instance the way save() would (defaults, auto_now, the database's own preparation of
    each value) and set its primary key from the database's answer; one statement, nothing compiled."""
    inserted = _insert(instance, unless_taken="")
    assert inserted
    return instance


def insert_unless_taken(instance: Model, *, unique: str) -> bool:
    """Insert the instance unless a row already holds its value of the unique field `unique`; tell which.

    One statement (INSERT ... ON CONFLICT DO NOTHING): no savepoint to recover from a failed insert, and on
    PostgreSQL a concurrent insert of the same value makes this one wait for it to commit or roll back.
    """
    return _insert(instance, unless_taken=unique)


def _insert(instance: Model, *, unless_taken: str) -> bool:
    model = type(instance)
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [field for field in meta.concrete_fields if not (field is pk and getattr(instance, field.attname) is None)]
    quote = connection.ops.quote_name
    values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(str(field.column)) for field in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))})"
    )
    if unless_taken:
        sql += f" ON CONFLICT ({quote(str(meta.get_field(unless_taken).column))}) DO NOTHING"  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if pk not in fields and connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {quote(str(pk.column))}", values)
            row = cursor.fetchone()
            if row is None:
                return False
            setattr(instance, pk.attname, row[0])
        else:
            cursor.execute(sql, values)
            if cursor.rowcount == 0:
                return False
            if pk not in fields:
                setattr(instance, pk.attname, cursor.lastrowid)
    instance._state.adding = False
    instance._state.db = alias
    return True


def update(instance: Model, fields: Sequence[str]) -> None:
    """Write the named fields of a saved instance (save(update_fields=...) without compiling a query)."""
    model = type(instance)
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    quote = connection.ops.quote_name
    chosen = [meta.get_field(name) for name in fields]
    values = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in chosen]  # type: ignore[union-attr]
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in chosen)  # type: ignore[union-attr]
    pk = meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s",
            [*values, pk.get_db_prep_value(instance.pk, connection)],
        )
