"""Sorting search results: newest first or by title, exact within the count cap and, for years, beyond it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelfmark.catalog.search.selectors import search
from shelfmark.catalog.tests.search_corpus import build_corpus, slugs
from shelfmark.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return build_corpus()


def every(corpus, q, **kwargs):
    return slugs(corpus, search(q, per_page=100, **kwargs).hits)


def test_newest_first_orders_by_year_then_by_id(corpus):
    # given the five books of 人民文学出版社 (one catalogued in traditional characters)
    # when they are sorted newest first
    result = search("人民文学出版社", sort="year")
    # then the years go down
    assert slugs(corpus, result.hits) == ["dream_red", "lu_xun_works", "fortress", "dream_red_again", "call_to_arms"]
    assert (result.sort, result.sort_exact, result.total) == ("year", True, 5)


def test_records_without_a_year_come_last_when_newest_first(corpus):
    corpus["fortress"].year = None
    corpus["fortress"].save()
    from shelfmark.catalog.search.index import index_records

    index_records([corpus["fortress"]])
    assert every(corpus, "人民文学出版社", sort="year")[-1] == "fortress"


def test_title_order_is_the_folded_title_then_the_id(corpus):
    # when the 人民 books are sorted by title
    hits = search("人民", sort="title", per_page=100).hits
    # then they follow the folded title (simplified, lower case, no punctuation), ties by id
    assert [(hit.title_key, hit.pk) for hit in hits] == sorted((hit.title_key, hit.pk) for hit in hits)
    assert len(hits) >= 8
    # and a traditional title sorts as its simplified form: 紅樓夢 right beside 红楼梦
    keys = [hit.title_key for hit in hits]
    assert keys.count("红楼梦") == 2 and keys[keys.index("红楼梦") + 1] == "红楼梦"


@pytest.mark.parametrize("sort", ["year", "title"])
def test_pages_of_a_sorted_result_walk_it_without_gaps_or_repeats(corpus, sort):
    whole = every(corpus, "人民", sort=sort)
    pages = [slugs(corpus, search("人民", sort=sort, per_page=3, page=n).hits) for n in range(1, 5)]
    assert [slug for page in pages for slug in page] == whole


def test_sorting_keeps_filters_and_facets(corpus):
    result = search("人民", sort="year", filters={"clc": "I"})
    assert slugs(corpus, result.hits) == ["dream_red", "lu_xun_works", "fortress", "dream_red_again", "call_to_arms"]
    assert {value.value for value in result.facets["clc"]} == {"I"}


def test_a_year_only_query_sorts_too(corpus):
    assert every(corpus, "year:2020-2021", sort="year")[:2] == ["networks", "three_gorges"]


@pytest.mark.parametrize("q", ["人民", "人民 year:-2010", "辽宁"])
def test_beyond_the_cap_newest_first_is_still_exact(corpus, monkeypatch, q):
    # given the full newest-first order of a query
    whole = every(corpus, q, sort="year")
    # when the count cap is below its hits, and the years read first hold only part of a page
    monkeypatch.setattr("shelfmark.catalog.search.selectors.COUNT_CAP", 1)
    monkeypatch.setattr("shelfmark.catalog.search.selectors._FIRST_YEARS", 1)
    monkeypatch.setattr("shelfmark.catalog.search.selectors._WIDEN", 2)
    pages = [search(q, sort="year", per_page=2, page=n) for n in range(1, len(whole) // 2 + 2)]
    # then the pages are the full order, and say it is exact
    assert [slug for page in pages for slug in slugs(corpus, page.hits)] == whole
    assert all(page.sort_exact and not page.total_exact for page in pages)


def test_beyond_the_cap_title_order_is_a_sample_and_says_so(corpus, monkeypatch):
    monkeypatch.setattr("shelfmark.catalog.search.selectors.COUNT_CAP", 3)
    result = search("人民", sort="title", per_page=10)
    keys = [(hit.title_key, hit.pk) for hit in result.hits]
    assert len(keys) == 4 and keys == sorted(keys)
    assert result.sort_exact is False


def test_an_unknown_sort_is_refused_by_name(corpus):
    with pytest.raises(InvalidInput) as refused:
        search("人民", sort="price")
    assert refused.value.field == "sort"


def test_a_sorted_search_costs_a_fixed_number_of_statements(corpus):
    with CaptureQueriesContext(connection) as relevance:
        search("人民")
    with CaptureQueriesContext(connection) as newest:
        search("人民", sort="year")
    # PostgreSQL: a savepoint, planner settings, the one pass, the hits, its release (as for relevance); SQLite: the
    # count, the page, the facets, the hits (relevance reads a page per ranking tier)
    assert len(newest) <= len(relevance)
    assert len(newest) == (6 if connection.vendor == "postgresql" else 4)
