"""The public search page and suggestions as you type: what anyone finds, how it narrows, sorts and pages."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.test import Client

from shelfmark.catalog.tests.search_corpus import build_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(shelf):
    return build_corpus()


def record_ids(page: str) -> list[int]:
    """The record links of the results list, in order."""
    hits = page.split('<ol class="rows hits"', 1)[1].split("</ol>", 1)[0] if '<ol class="rows hits"' in page else ""
    return [int(pk) for pk in re.findall(r'href="/records/(\d+)/"', hits)]


def get(q: str = "", **params: str) -> tuple[int, str]:
    response = Client().get("/search/", {"q": q, **params} if q else params)
    return response.status_code, response.content.decode()


def test_a_chinese_word_finds_the_title_with_its_copies_on_the_shelf_per_library(shelf, corpus):
    # given 红楼梦 with a copy on the shelf at the city and one lent out at the county
    dream = corpus["dream_red"]
    shelf.item(dream, library=shelf.net.city)
    shelf.lend(shelf.reader(), shelf.item(dream))
    # when anyone searches for it
    status, page = get("红楼梦")
    # then it is listed first, with the city's copy on the shelf and the county's not
    assert status == 200
    assert record_ids(page)[0] == dream.pk
    where = re.findall(r'<p class="where">(.*?)</p>', page)[0]
    assert "1 册在架" in where and "沈阳市图书馆 1/1" in where and "康平县图书馆" not in where


@pytest.mark.parametrize("q", ["hongloumeng", "hlm", "紅樓夢"])
def test_pinyin_initials_and_traditional_characters_find_the_same_title(corpus, q):
    status, page = get(q)
    assert status == 200
    assert corpus["dream_red"].pk in record_ids(page) and corpus["dream_red_again"].pk in record_ids(page)


def test_a_facet_narrows_the_results_and_keeps_the_query(corpus):
    # given a search across classes
    _status, page = get("人民")
    everything = record_ids(page)
    # when the reader picks the literature class (I)
    chosen = re.search(r'href="(\?[^"]*clc=I[^"]*)"', page)
    assert chosen is not None
    link = unescape(chosen.group(1))
    assert "q=%E4%BA%BA%E6%B0%91" in link
    narrowed = Client().get("/search/" + link).content.decode()
    # then only literature is left, and the chosen value can be removed again
    found = record_ids(narrowed)
    assert found and set(found) < set(everything)
    assert {pk for slug, record in corpus.items() if record.clc_class.startswith("I") for pk in [record.pk]} >= set(
        found
    )
    assert 'aria-current="true"' in narrowed


def test_newest_first_and_title_order(corpus):
    newest = record_ids(get("人民文学出版社", sort="year")[1])
    assert newest == [corpus[slug].pk for slug in ["dream_red", "lu_xun_works", "fortress", "dream_red_again",
                                                   "call_to_arms"]]  # fmt: skip
    by_title = record_ids(get("人民文学出版社", sort="title")[1])
    keys = [next(r.title_key for r in corpus.values() if r.pk == pk) for pk in by_title]
    assert keys == sorted(keys) and len(by_title) == 5


def test_pages_walk_the_results_without_gaps_or_repeats(corpus):
    # given a query with more hits than a page
    _status, first = get("出版社")
    assert "下一页" in first
    second = Client().get("/search/", {"q": "出版社", "page": "2"}).content.decode()
    one, two = record_ids(first), record_ids(second)
    assert len(one) == 10 and two and not set(one) & set(two)
    assert 'rel="prev"' in second


@pytest.mark.parametrize(
    ("typed", "meant", "link"),
    [
        ("平凡的世纪", "平凡的世界", "/search/?q=%E5%B9%B3%E5%87%A1%E7%9A%84%E4%B8%96%E7%95%8C"),
        ("Programing Perl", "Programming Perl", "/search/?q=Programming+Perl"),
    ],
)
def test_a_misspelt_title_that_finds_nothing_offers_the_title_meant(corpus, typed, meant, link):
    # when the reader misspells a title so that nothing is found
    status, page = get(typed)
    # then the page asks whether they meant the title, linking to its search
    assert status == 200 and record_ids(page) == []
    assert "您是不是要找" in page
    assert f'href="{link}">{meant}</a>' in page


def test_a_homophone_typed_with_a_pinyin_input_method_finds_the_title_itself(corpus):
    # 红楼孟 reads hongloumeng, as 红楼梦 does: the search matches the whole pinyin of titles
    assert record_ids(get("红楼孟")[1])[0] == corpus["dream_red"].pk


def test_a_search_that_finds_plenty_offers_no_near_miss(corpus):
    assert "您是不是要找" not in get("人民")[1]


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"q": "书" * 201}, "q", "检索词太长"),
        ({"q": "红楼\x00梦"}, "q", "无法识别的字符"),
        ({"q": "红楼梦", "page": "abc"}, "page", "页码"),
        ({"q": "红楼梦", "page": "100000"}, "page", "页码"),
        ({"q": "红楼梦", "sort": "price"}, "sort", "排序"),
        ({"q": "红楼梦", "clc": "ZZ"}, "clc", "筛选条件无效"),
        ({"q": "红楼梦", "year": "19x9"}, "year", "筛选条件无效"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_not_a_server_error(corpus, params, field, says):
    response = Client().get("/search/", params)
    page = response.content.decode()
    assert response.status_code == 400
    assert says in page and f'id="{field}-error"' in page
    assert 'name="q"' in page  # the search box is still there to try again


def test_an_empty_search_shows_the_box_and_searches_nothing(corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        status, page = get()
    assert status == 200 and 'role="combobox"' in page and "找到" not in page


def test_what_the_reader_typed_is_escaped(corpus):
    status, page = get('<script>alert(1)</script>" onfocus="x')
    assert status == 200
    assert "<script>alert(1)</script>" not in page and '" onfocus="x' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_results_page_costs_a_fixed_number_of_queries(shelf, corpus, django_assert_max_num_queries):
    for slug in ["dream_red", "lu_xun_works", "fortress", "call_to_arms"]:
        shelf.item(corpus[slug])
        shelf.item(corpus[slug], library=shelf.net.city)
    # the search (on PostgreSQL inside a savepoint with its planner settings), the hits, their copies and libraries
    with django_assert_max_num_queries(10):
        status, page = get("人民文学出版社")
    assert status == 200 and len(record_ids(page)) == 5


def test_a_logged_in_reader_keeps_their_account_links_on_the_search_page(corpus, reader_client):
    assert 'href="/account/"' in reader_client.get("/search/", {"q": "红楼梦"}).content.decode()


# -- suggestions as you type ------------------------------------------------------------------------------------------
def options(html: str) -> list[str]:
    return [unescape(value) for value in re.findall(r'role="option"[^>]*data-value="([^"]*)"', html)]


@pytest.mark.parametrize(("typed", "first"), [("红楼", "红楼梦"), ("hongloumeng", "红楼梦"), ("hlm", "红楼梦"),
                                              ("紅樓", "红楼梦"), ("luxun", "鲁迅")])  # fmt: skip
def test_suggestions_match_a_prefix_in_characters_pinyin_initials_or_either_script(corpus, typed, first):
    response = Client().get("/search/suggest", {"q": typed}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert options(response.content.decode())[0] == first


def test_suggestions_are_options_of_the_search_box_listbox(corpus):
    html = Client().get("/search/suggest", {"q": "hlm"}).content.decode()
    assert re.search(r'<li role="option" id="q-option-1" aria-selected="false" data-value="红楼梦">', html)
    page = get("红楼梦")[1]
    assert 'aria-controls="q-suggestions"' in page and 'id="q-suggestions" role="listbox"' in page
    assert 'hx-get="/search/suggest"' in page and 'hx-trigger="input changed delay:200ms' in page


def test_suggestions_as_opensearch_json(corpus):
    response = Client().get("/search/suggest", {"q": "hlm"}, headers={"Accept": "application/x-suggestions+json"})
    assert response["Content-Type"].startswith("application/x-suggestions+json")
    q, completions, descriptions, urls = json.loads(response.content)
    assert q == "hlm" and completions[0] == "红楼梦" and descriptions[0] == "题名"
    assert urls[0] == "http://testserver/search/?q=%E7%BA%A2%E6%A5%BC%E6%A2%A6"


def test_nothing_typed_suggests_nothing_and_bad_input_is_refused(corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert options(Client().get("/search/suggest", {"q": "  "}).content.decode()) == []
    refused = Client().get("/search/suggest", {"q": "x" * 300}, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and json.loads(refused.content)["field"] == "q"


def test_a_suggestion_costs_one_query(corpus, django_assert_num_queries):
    with django_assert_num_queries(1):
        Client().get("/search/suggest", {"q": "hong lou"})
