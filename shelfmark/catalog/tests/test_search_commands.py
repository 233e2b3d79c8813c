"""`shelfmark search` and `shelfmark reindex` on the console."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shelfmark.catalog.search.index import remove_records
from shelfmark.catalog.tests.search_corpus import build_corpus

pytestmark = pytest.mark.django_db


def test_search_prints_hits_and_facets():
    # given the corpus
    corpus = build_corpus()
    out = StringIO()
    # when a reader searches from the console
    call_command("search", "author:鲁迅", stdout=out)
    # then the hits come in order with id, title, author, year, ISBN, and the facets follow
    lines = out.getvalue().splitlines()
    assert lines[0] == "2 hits, page 1 of 1"
    works, call_to_arms = corpus["lu_xun_works"], corpus["call_to_arms"]
    assert lines[1].split() == [str(works.pk), "鲁迅全集", "鲁迅", "2005", "9787020042104"]
    assert lines[2].split() == [str(call_to_arms.pk), "呐喊", "鲁迅", "1973"]
    assert "[resource_type] 纸本图书 (2)" in lines
    assert "[clc] I 文学 (2)" in lines


def test_search_json_pages_and_filters():
    corpus = build_corpus()
    out = StringIO()
    call_command("search", "辽宁", "--json", "--page", "2", "--per-page", "2", "--filter", "clc=K", stdout=out)
    data = json.loads(out.getvalue())
    assert data["total"] == 4
    assert data["page"] == 2
    assert [hit["id"] for hit in data["hits"]] == [corpus["liaoning_history"].pk, corpus["northeast_gazetteers"].pk]
    assert data["hits"][0] == {
        "id": corpus["liaoning_history"].pk,
        "title": "辽宁通史",
        "authors": ["张志强"],
        "year": 2009,
        "isbn": "",
    }
    assert data["facets"]["clc"] == [{"value": "K", "label": "K 历史、地理", "count": 4}]
    assert data["query"]["words"] == ["辽宁"]


def test_search_refuses_bad_input_with_the_error_code():
    with pytest.raises(CommandError, match="invalid_input"):
        call_command("search", "辽宁", "--page", "0", stdout=StringIO())
    with pytest.raises(CommandError, match="FACET=VALUE"):
        call_command("search", "辽宁", "--filter", "clc", stdout=StringIO())


def test_reindex_rebuilds_and_reports_the_count():
    # given an index that lost its rows
    corpus = build_corpus()
    remove_records([record.pk for record in corpus.values()])
    out = StringIO()
    # when reindex runs
    call_command("reindex", stdout=out, stderr=StringIO())
    # then it says how many it indexed, and search finds them again
    assert out.getvalue().startswith(f"indexed {len(corpus)} records in ")
    search_out = StringIO()
    call_command("search", "lnsz", "--json", stdout=search_out)
    assert json.loads(search_out.getvalue())["total"] == 2
