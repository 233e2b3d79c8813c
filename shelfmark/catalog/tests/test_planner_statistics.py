"""The platform refreshes the planner's statistics itself: after an import, and with `shelfmark analyze`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from shelfmark.holdings.tests.factories import make_record
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


def _record_rows_known_to_the_planner() -> int | None:
    """Rows of catalog_record as the planner's statistics have them; None when it has none."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is None:
                return None
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'catalog_record' AND idx IS NULL")
            row = cursor.fetchone()
            if row is None:  # SQLite keeps the table's row count on each index's line when it has indexes
                cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'catalog_record' LIMIT 1")
                row = cursor.fetchone()
            return int(row[0].split()[0]) if row else None
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_record'")
        tuples = cursor.fetchone()[0]
        return None if tuples < 0 else int(tuples)


def _forget_statistics() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            for (table,) in cursor.fetchall():
                cursor.execute(f"DELETE FROM {table}")
        else:
            cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE relname = 'catalog_record'")


def test_import_marc_leaves_the_planner_knowing_the_new_rows(marc_dir, tmp_path):
    make_network()
    _forget_statistics()
    assert _record_rows_known_to_the_planner() is None

    call_command(
        "import_marc", str(marc_dir / "test.dat"), "--no-progress", f"--rejects-dir={tmp_path}", stdout=io.StringIO()
    )

    assert _record_rows_known_to_the_planner() == 10


def test_the_analyze_command_refreshes_them_and_says_how_long_it_took():
    make_record("辽宁通史")
    _forget_statistics()
    assert _record_rows_known_to_the_planner() is None
    out = io.StringIO()
    call_command("analyze", stdout=out)
    assert out.getvalue().startswith("statistics refreshed in ") and out.getvalue().endswith(" s\n")
    assert _record_rows_known_to_the_planner() == 1


def test_a_long_load_refreshes_them_each_time_its_rows_double():
    from shelfmark.core.dbstats import GrowthWatch

    for title in ("辽宁通史", "沈阳故宫", "满洲实录"):
        make_record(title)
    _forget_statistics()
    watch = GrowthWatch(["catalog_record"], first=2)

    watch.added_rows(1)
    assert _record_rows_known_to_the_planner() is None
    watch.added_rows(1)  # 2 rows added: the first refresh
    assert _record_rows_known_to_the_planner() == 3

    make_record("奉天通志")
    make_record("盛京通志")
    watch.added_rows(1)  # 3: not yet doubled
    assert _record_rows_known_to_the_planner() == 3
    watch.added_rows(1)  # 4: doubled since the last refresh
    assert _record_rows_known_to_the_planner() == 5
