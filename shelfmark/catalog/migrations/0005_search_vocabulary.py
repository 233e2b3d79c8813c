"""The search vocabulary (search/vocabulary.py): titles, names and title words in the forms a reader types, for
suggestions as you type (a btree prefix range) and "did you mean" (trigram similarity).

PostgreSQL: the term column in the "C" collation, so that its primary key serves prefix ranges whatever the
database's collation, and a pg_trgm GIN index for `%`. SQLite: the table, an FTS5 trigram table over the padded
terms filled by a trigger, and an fts5vocab table that counts each trigram's rows.

The SQL is written out here (not imported from the app) so that this migration stays what it was. Existing
catalogues get their vocabulary with `shelfmark reindex`.
"""

from django.db import migrations

UP = {
    "sqlite": [
        "CREATE TABLE catalog_search_term (id integer PRIMARY KEY, term text NOT NULL, kind varchar(1) NOT NULL,"
        " form varchar(1) NOT NULL, target text NOT NULL, label text NOT NULL, UNIQUE (term, kind, target))",
        "CREATE VIRTUAL TABLE catalog_search_term_trgm USING fts5(term, content='', tokenize='trigram')",
        "CREATE VIRTUAL TABLE catalog_search_term_trgm_rows USING fts5vocab(catalog_search_term_trgm, 'row')",
        "CREATE TRIGGER catalog_search_term_trgm_insert AFTER INSERT ON catalog_search_term WHEN new.form <> 'i'"
        " BEGIN INSERT INTO catalog_search_term_trgm (rowid, term) VALUES (new.id, '^^' || new.term || '$'); END",
    ],
    "postgresql": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE catalog_search_term (term text COLLATE \"C\" NOT NULL, kind varchar(1) NOT NULL,"
        " form varchar(1) NOT NULL, target text NOT NULL, label text NOT NULL, PRIMARY KEY (term, kind, target))",
        "CREATE INDEX catalog_search_term_trgm ON catalog_search_term USING gin (term gin_trgm_ops) WHERE form <> 'i'",
    ],
}
DOWN = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS catalog_search_term_trgm_insert",
        "DROP TABLE IF EXISTS catalog_search_term_trgm_rows",
        "DROP TABLE IF EXISTS catalog_search_term_trgm",
        "DROP TABLE IF EXISTS catalog_search_term",
    ],
    "postgresql": ["DROP TABLE IF EXISTS catalog_search_term"],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_title_key_index")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
