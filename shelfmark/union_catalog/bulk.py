"""Insert and update many rows of this app's tables in one statement batch: the loader's and clustering's hot path.

Django's bulk_create and bulk_update compile SQL per value (about 100 µs a row, measured for the catalogue's
import); a member's catalogue of a million records and a clustering run that assigns a million members would
spend minutes there. Rows are sent with one executemany on SQLite and COPY on PostgreSQL; ids are reserved
first (the sequence on PostgreSQL; on SQLite the AUTOINCREMENT counter, read while the transaction holds the
write lock: Shelfmark opens SQLite transactions IMMEDIATE), as `catalog.bulk_insert` does for records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from django.db import connection, models


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` new ids of the model's table; call inside the transaction that inserts them."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
            f" COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
        # Move the counter past the reserved ids, as inserting them would, so that a later reservation in the
        # same transaction does not hand them out again before they are written.
        cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start + count - 1, table])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start + count - 1])
        return list(range(start, start + count))


def adapt(value: Any, field: models.Field) -> Any:
    """Bring a Python value to what the database driver takes for this field."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value if isinstance(value, str) else orjson.dumps(value).decode()
    if isinstance(field, models.DateTimeField) and isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def insert(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert rows (values in the order of `columns`, field attnames, already adapted) in one batch."""
    if not rows:
        return
    meta = model._meta
    fields = [_by_attname(model, name) for name in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(field.column)) for field in fields)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def update(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Set `columns` of the rows whose id is each row's first value (then the values of `columns`, adapted)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [_by_attname(model, name) for name in columns]
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a temporary table and one UPDATE ... FROM: executemany would be a round trip a row.
            temp = f"union_update_{meta.model_name}"
            types = ", ".join(f"{quote(str(field.column))} {field.db_type(connection)}" for field in fields)
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} (id bigint, {types}) ON COMMIT DROP")
            names = ", ".join(quote(str(field.column)) for field in fields)
            with cursor.cursor.copy(f"COPY {temp} (id, {names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            sets = ", ".join(f"{quote(str(field.column))} = t.{quote(str(field.column))}" for field in fields)
            cursor.execute(f"UPDATE {table} SET {sets} FROM {temp} t WHERE {table}.id = t.id")
            cursor.execute(f"DROP TABLE {temp}")
        else:
            sets = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", [(*row[1:], row[0]) for row in rows])


def _by_attname(model: type[models.Model], attname: str) -> models.Field:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    raise LookupError(f"{model.__name__} has no column {attname!r}")
