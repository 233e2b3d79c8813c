"""The search index: an FTS5 table on SQLite, a tsvector + pg_trgm table on PostgreSQL.

The SQL is written out here (not imported from the app) so that this migration stays what it was.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE catalog_search USING fts5("
    "t, a, s, p, o, i, c, text UNINDEXED, tokenize = \"ascii tokenchars '.-'\", detail = column)",
    # A deleted record leaves the index at once, whoever deletes it.
    "CREATE TRIGGER catalog_record_search_delete AFTER DELETE ON catalog_record "
    "BEGIN DELETE FROM catalog_search WHERE rowid = old.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_record_search_delete",
    "DROP TABLE IF EXISTS catalog_search",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE catalog_search ("
    " record_id bigint PRIMARY KEY REFERENCES catalog_record (id) ON DELETE CASCADE,"
    " document tsvector NOT NULL,"
    " text text NOT NULL)",
    "CREATE INDEX catalog_search_document ON catalog_search USING gin (document)",
    "CREATE INDEX catalog_search_text_trgm ON catalog_search USING gin (text gin_trgm_ops)",
]
POSTGRESQL_DOWN = ["DROP TABLE IF EXISTS catalog_search"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN}),
        ),
    ]
