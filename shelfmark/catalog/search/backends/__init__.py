"""Search engines behind one interface, chosen by the database connection's vendor."""

from __future__ import annotations

from django.db import connection

from .base import SearchBackend


def backend() -> SearchBackend:
    """Return the engine for the default database: FTS5 on SQLite, tsvector + pg_trgm on PostgreSQL."""
    if connection.vendor == "postgresql":
        from .postgresql import PostgresBackend

        return PostgresBackend()
    from .sqlite import SqliteBackend

    return SqliteBackend()
