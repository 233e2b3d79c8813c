"""The search index follows every write: upsert, delete, rebuild; writes are batched."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.index import index_records, rebuild, remove_records
from shelfmark.catalog.search.selectors import search
from shelfmark.catalog.tests.search_corpus import build_corpus, slugs
from shelfmark.catalog.text import title_key

pytestmark = pytest.mark.django_db


def _record(title: str, **fields) -> Record:
    return Record.objects.create(marc_format="cnmarc", marc={}, title=title, title_key=title_key(title), **fields)


def test_reindexing_an_updated_record_replaces_its_tokens():
    # given an indexed record
    record = _record("围城")
    index_records([record])
    # when its title changes and it is indexed again
    record.title, record.title_key = "活着", title_key("活着")
    record.save()
    index_records([record])
    # then the new title finds it, the old one does not, and it is indexed once
    assert [hit.pk for hit in search("活着").hits] == [record.pk]
    assert search("围城").total == 0
    assert search("").total == 1


def test_deleting_a_record_removes_it_from_the_index_by_itself():
    # given two indexed records
    kept, deleted = _record("围城"), _record("围城 续")
    index_records([kept, deleted])
    # when one is deleted without telling the index
    deleted.delete()
    # then only the other is found
    assert [hit.pk for hit in search("围城").hits] == [kept.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalog_search")
        assert cursor.fetchone()[0] == 1


def test_removed_records_are_no_longer_found():
    record = _record("围城")
    index_records([record])
    remove_records([record.pk])
    assert search("围城").total == 0
    assert Record.objects.filter(pk=record.pk).exists()


def test_rebuild_restores_the_same_results_and_reports_progress():
    # given the corpus, with the index emptied behind its back
    corpus = build_corpus()
    before = {q: slugs(corpus, search(q).hits) for q in ["辽宁", "lnsz", "class:I24", "红楼梦"]}
    remove_records([record.pk for record in corpus.values()])
    assert search("辽宁").total == 0
    calls: list[tuple[int, int]] = []
    # when the index is rebuilt
    count = rebuild(progress=lambda done, total: calls.append((done, total)))
    # then every record is back, with the same results, and progress reached the end
    assert count == len(corpus)
    assert {q: slugs(corpus, search(q).hits) for q in before} == before
    assert calls[-1] == (len(corpus), len(corpus))


def test_indexing_a_batch_costs_a_fixed_number_of_statements():
    # given 50 and then 200 records
    small = [_record(f"图书 {n}") for n in range(50)]
    large = [_record(f"图书 {n}") for n in range(200)]
    # when each batch is indexed
    with CaptureQueriesContext(connection) as first:
        index_records(small)
    with CaptureQueriesContext(connection) as second:
        index_records(large)
    # then the number of statements does not grow with the batch (index rows, facet rows, vocabulary)
    assert len(first) == len(second) <= 5


def test_a_search_page_costs_a_fixed_number_of_queries():
    # given the corpus
    build_corpus()
    # when a three-tier search with facets runs
    with CaptureQueriesContext(connection) as queries:
        result = search("辽宁")
    # then FTS5 takes count, exact tier, tier 1, tier 2, records, facets; PostgreSQL reads the hits once
    # (count, ranked page and facet sample in one statement), then the records, between setting its planner
    # settings for the search and, inside this test's transaction, setting them back (and the savepoint's pair)
    assert result.total == 5
    if connection.vendor == "postgresql":
        kinds = [_kind(query["sql"]) for query in queries.captured_queries]
        assert kinds == ["savepoint", "settings", "read", "read", "settings", "release"]
    else:
        assert len(queries) == 6


def _kind(sql: str) -> str:
    words = sql.split()
    if words[0] in ("SAVEPOINT", "RELEASE"):
        return words[0].lower()
    return "settings" if "set_config" in sql else "read"


def test_a_search_inside_a_transaction_leaves_its_planner_settings_behind():
    if connection.vendor != "postgresql":
        pytest.skip("planner settings are PostgreSQL's")
    # given a caller's transaction with its own settings
    build_corpus()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        before = cursor.fetchone()
    # when a search runs inside it
    search("辽宁")
    # then the rest of the transaction runs with the caller's settings
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem'), current_setting('jit')")
        assert cursor.fetchone() == before


def test_no_sqlite_search_statement_sorts_its_hits():
    if connection.vendor != "sqlite":
        pytest.skip("FTS5's query plans")
    # given the corpus and a search whose tiers, filters and facet sample each read hits in id order
    build_corpus()
    with CaptureQueriesContext(connection) as queries:
        search("辽宁", filters={"language": "chi"})
    # when SQLite plans each of its statements
    plans = []
    for query in queries.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plans.append(" | ".join(str(row[-1]) for row in cursor.fetchall()))
    # then FTS5 or an index gives the id order, and no statement sorts every hit to take the first ones
    assert len(plans) == 6
    assert [plan for plan in plans if "TEMP B-TREE FOR ORDER BY" in plan] == []
