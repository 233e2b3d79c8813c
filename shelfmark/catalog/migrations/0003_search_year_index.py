"""PostgreSQL: a btree on catalog_search (year, record_id).

A year bound then narrows the GIN bitmap before the heap is read (小说 year:2000-2010 visited all 18,370 小说
hits for 4,041 in range), and a search by year alone counts its first hits from the index without the heap.
SQLite filters years on its narrow facet table already.
"""

from django.db import migrations

POSTGRESQL = ["CREATE INDEX IF NOT EXISTS catalog_search_year ON catalog_search (year, record_id)"]
POSTGRESQL_DOWN = ["DROP INDEX IF EXISTS catalog_search_year"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_search_index")]

    operations = [migrations.RunPython(_run(POSTGRESQL), _run(POSTGRESQL_DOWN))]
