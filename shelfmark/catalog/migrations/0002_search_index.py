"""The search index: an FTS5 table on SQLite, a tsvector + pg_trgm table on PostgreSQL, and on both a
narrow per-record row (exact-title key, facet values) that ranking, filters and facets read: its own
table on SQLite, columns of catalog_search on PostgreSQL.

The SQL is written out here (not imported from the app) so that this migration stays what it was.
"""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE catalog_search USING fts5("
    "t, a, s, p, o, i, c, text UNINDEXED, tokenize = \"ascii tokenchars '.-'\", detail = column)",
    "CREATE TABLE catalog_search_facets (record_id integer PRIMARY KEY, title_key varchar(255) NOT NULL,"
    " resource_type varchar(16) NOT NULL, language varchar(3) NOT NULL, year integer NULL,"
    " clc varchar(1) NOT NULL, library_id integer NULL)",
    # A deleted record leaves the index at once, whoever deletes it.
    "CREATE TRIGGER catalog_record_search_delete AFTER DELETE ON catalog_record BEGIN"
    " DELETE FROM catalog_search WHERE rowid = old.id;"
    " DELETE FROM catalog_search_facets WHERE record_id = old.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalog_record_search_delete",
    "DROP TABLE IF EXISTS catalog_search_facets",
    "DROP TABLE IF EXISTS catalog_search",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Facet columns sit beside the tsvector, so hits are filtered and counted without a join.
    "CREATE TABLE catalog_search ("
    " record_id bigint PRIMARY KEY REFERENCES catalog_record (id) ON DELETE CASCADE,"
    " document tsvector NOT NULL,"
    " text text NOT NULL,"
    " title_key varchar(255) NOT NULL, resource_type varchar(16) NOT NULL, language varchar(3) NOT NULL,"
    " year integer NULL, clc varchar(1) NOT NULL, library_id bigint NULL)",
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
