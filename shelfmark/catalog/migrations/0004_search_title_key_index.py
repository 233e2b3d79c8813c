"""An index on the search rows' (title_key, record_id): catalog_search on PostgreSQL, catalog_search_facets on
SQLite.

The exact-title tier of the ranking reads the first records with the title in id order from it and stops at
the page's end, where catalog_record's title_key index gave them unordered, every one read and sorted (2,000
generated records share some titles; a library holds hundreds of editions of 红楼梦).
"""

from django.db import migrations

UP = {
    "postgresql": ["CREATE INDEX IF NOT EXISTS catalog_search_title_key ON catalog_search (title_key, record_id)"],
    "sqlite": [
        "CREATE INDEX IF NOT EXISTS catalog_search_facets_title_key ON catalog_search_facets (title_key, record_id)"
    ],
}
DOWN = {
    "postgresql": ["DROP INDEX IF EXISTS catalog_search_title_key"],
    "sqlite": ["DROP INDEX IF EXISTS catalog_search_facets_title_key"],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_search_year_index")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
