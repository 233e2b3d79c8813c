"""Catalogue search behaviour on the shared corpus: what a reader types, what they find, in what order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.index import index_records
from shelfmark.catalog.search.selectors import search, search_ids
from shelfmark.catalog.tests.search_corpus import build_corpus, slugs
from shelfmark.catalog.text import title_key
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return build_corpus()


def found(corpus, q, **kwargs):
    return slugs(corpus, search(q, **kwargs).hits)


def test_exact_title_ranks_first_then_titles_then_other_fields(corpus):
    # when a reader searches a title
    result = search("辽宁省志")
    # then the record titled exactly so is first, a longer title next, a subject match last
    assert slugs(corpus, result.hits) == ["liaoning_zhi", "liaoning_zhi_geography", "northeast_gazetteers"]
    assert result.total == 3
    assert result.total_exact is True


def test_full_pinyin_finds_chinese_titles(corpus):
    assert found(corpus, "liaoning") == [
        "liaoning_zhi",
        "liaoning_zhi_geography",
        "liaoning_history",
        "liaoning_yearbook",
    ]
    assert found(corpus, "liaoningshengzhi") == ["liaoning_zhi", "liaoning_zhi_geography"]


def test_pinyin_initials_find_the_title(corpus):
    assert found(corpus, "lnsz") == ["liaoning_zhi", "liaoning_zhi_geography"]
    assert found(corpus, "hlm") == ["dream_red", "dream_red_study", "dream_red_again"]


def test_pinyin_typed_syllable_by_syllable_finds_the_title(corpus):
    assert found(corpus, "liao ning sheng zhi") == ["liaoning_zhi", "liaoning_zhi_geography"]


def test_pinyin_finds_author_names(corpus):
    assert found(corpus, "luxun") == ["lu_xun_works", "call_to_arms"]


def test_polyphones_follow_the_word(corpus):
    assert found(corpus, "changjiang") == ["three_gorges"]
    assert found(corpus, "chongqing") == ["three_gorges"]


def test_traditional_and_simplified_find_each_other(corpus):
    # given 圖書館學概論 (traditional) and 图书馆学概论 (simplified) are both catalogued
    both = ["library_science_trad", "library_science"]
    # then either form finds both, exact titles first
    assert found(corpus, "图书馆学概论") == both
    assert found(corpus, "圖書館學概論") == both
    assert found(corpus, "圖書館")[:2] == both


def test_traditional_title_is_an_exact_match_for_its_simplified_form(corpus):
    # 紅樓夢 (id later) and 红楼梦 are both exact titles of 红楼梦, before the study of it
    assert found(corpus, "红楼梦") == ["dream_red", "dream_red_again", "dream_red_study"]


def test_romanized_only_record_is_found_by_pinyin_and_by_characters(corpus):
    # given a MARC21 record with only the romanised title, and one with both forms
    # then pinyin finds both, the romanised exact title first
    assert found(corpus, "zhongguo jin dai shi") == ["modern_history_pinyin", "modern_history"]
    # and the characters find both, the Chinese exact title first
    assert found(corpus, "中国近代史") == ["modern_history", "modern_history_pinyin"]


def test_words_are_anded(corpus):
    assert found(corpus, "长篇小说 当代") == ["ordinary_world", "to_live", "three_body"]
    assert found(corpus, "长篇小说 当代 重庆") == ["three_body"]


def test_quoted_phrase_must_occur_as_written(corpus):
    # given both words occur in two titles, but together in one only
    assert found(corpus, "图书馆 研究") == ["digital_library"]
    assert found(corpus, "中国 图书馆") == ["clc_manual"]
    assert found(corpus, '"中国图书馆"') == ["clc_manual"]
    assert found(corpus, '"图书馆中国"') == []


def test_title_field_ignores_other_fields(corpus):
    assert found(corpus, "title:辽宁省志") == ["liaoning_zhi", "liaoning_zhi_geography"]
    assert found(corpus, 'title:"中国 近代史"') == ["modern_history"]


def test_author_subject_publisher_fields(corpus):
    assert found(corpus, "author:鲁迅") == ["lu_xun_works", "call_to_arms"]
    assert found(corpus, "subject:年鉴") == ["liaoning_yearbook"]
    assert found(corpus, "publisher:重庆出版社") == ["three_body", "three_gorges"]
    assert found(corpus, "author:重庆") == ["three_gorges"]


def test_class_is_a_prefix_match(corpus):
    assert found(corpus, "class:I247") == ["golden_age", "ordinary_world", "to_live", "three_body"]
    assert found(corpus, "class:I247.5") == ["golden_age", "ordinary_world", "to_live", "three_body"]
    assert found(corpus, "class:I247.57") == ["ordinary_world", "to_live"]
    assert found(corpus, "class:qa76") == ["programming_perl"]


def test_a_bare_class_number_finds_its_class(corpus):
    assert found(corpus, "I247.5") == ["golden_age"]


def test_year_single_and_range(corpus):
    assert found(corpus, "year:2020") == ["data_structures", "civil_code"]
    assert found(corpus, "year:2019-2020") == ["liaoning_zhi", "data_structures", "civil_code", "ordinary_world"]
    assert found(corpus, "year:-1910") == ["shengjing_times"]
    assert found(corpus, "长篇小说 year:2019") == ["ordinary_world"]


@pytest.mark.parametrize(("words", "low", "high"), [("人民", 2005, 2021), ("小说", 2010, 2020), ("辽宁", 2019, 2019)])
def test_a_year_range_keeps_the_ranking_of_the_words_within_those_years(corpus, words, low, high):
    # given the ranking of the words alone and each record's year
    ranking = search(words, per_page=100).hits
    within = [corpus_slug for corpus_slug, hit in zip(slugs(corpus, ranking), ranking, strict=True)
              if hit.year is not None and low <= hit.year <= high]  # fmt: skip
    assert 0 < len(within) < len(ranking)
    # when the same words are bounded by the years
    bounded = found(corpus, f"{words} year:{low}-{high}", per_page=100)
    # then exactly the records of those years are found, in the same order
    assert bounded == within


@pytest.mark.parametrize(
    "typed",
    [
        "9787020002207",
        "978-7-02-000220-7",
        "7-02-000220-X",
        "702000220x",
        "isbn:7-02-000220-X",
        'isbn:"978 7 02 000220 7"',
    ],
)
def test_isbn_with_or_without_hyphens_as_10_or_13_digits(corpus, typed):
    assert found(corpus, typed) == ["dream_red"]


def test_isbn_10_finds_an_english_book(corpus):
    assert found(corpus, "0-596-00027-8") == ["programming_perl"]


def test_issn(corpus):
    assert found(corpus, "issn:1001-8867") == ["library_journal"]
    assert found(corpus, "1001-8867") == ["library_journal"]


def test_a_year_range_in_a_title_is_found_though_it_reads_as_an_issn(corpus):
    # given a title whose years read as a valid ISSN (1949-1999: check digit 9), as in the LoC file
    title = "建材工业五十年, 1949-1999"
    record = Record.objects.create(marc_format="marc21", marc={}, title=title, title_key=title_key(title))
    index_records([record])
    # when a reader types the whole title, or the years alone
    whole, years = search(f"{title} /"), search("1949-1999")
    # then the title is found, first as the exact title; a bare ISSN still finds its serial
    assert [hit.pk for hit in whole.hits] == [record.pk]
    assert [hit.pk for hit in years.hits] == [record.pk]
    assert found(corpus, "1001-8867") == ["library_journal"]


def test_english_words_are_case_insensitive(corpus):
    assert found(corpus, "PROGRAMMING perl") == ["programming_perl"]
    assert found(corpus, "Loneliness") == ["loneliness"]


def test_mixed_latin_and_chinese_title(corpus):
    assert found(corpus, "python 编程") == ["python_crash"]
    assert found(corpus, "Python编程：从入门到实践") == ["python_crash"]


def test_nothing_found(corpus):
    result = search("不存在的书名")
    assert (result.total, result.hits, result.facets) == (0, [], {})


def test_empty_query_lists_the_whole_catalogue_in_id_order(corpus):
    result = search("", per_page=100)
    assert result.total == len(corpus)
    assert slugs(corpus, result.hits) == list(corpus)


def test_paging_walks_the_ranking_without_gaps_or_repeats(corpus):
    # given a query whose ranking has all three tiers
    full = found(corpus, "辽宁", per_page=100)
    # when it is read two hits at a time
    pages = [found(corpus, "辽宁", page=page, per_page=2) for page in range(1, 5)]
    # then the pages put together are the one-page ranking
    assert [slug for page in pages for slug in page] == full
    assert search("辽宁", page=2, per_page=2).total == len(full)


def test_search_ids_yields_the_same_ranking_as_the_pages(corpus):
    ranked = [hit.pk for hit in search("辽宁", per_page=100).hits]
    assert list(search_ids("辽宁")) == ranked


def test_facets_count_every_hit(corpus):
    # when a search has hits of several kinds
    result = search("辽宁")
    # then each facet counts them, most frequent first, with labels
    facets = {key: [(v.value, v.label, v.count) for v in values] for key, values in result.facets.items()}
    assert facets["resource_type"] == [("print", "纸本图书", 4), ("periodical", "连续出版物", 1)]
    assert facets["language"] == [("chi", "中文", 5)]
    assert facets["clc"] == [("K", "K 历史、地理", 4), ("Z", "Z 综合性图书", 1)]
    assert facets["year"] == [
        ("2003", "2003", 1),
        ("2009", "2009", 1),
        ("2011", "2011", 1),
        ("2019", "2019", 1),
        ("2021", "2021", 1),
    ]
    assert facets["library"] == []
    assert result.facets_exact is True


def test_facet_filters_narrow_the_hits(corpus):
    assert found(corpus, "辽宁", filters={"resource_type": "periodical"}) == ["liaoning_yearbook"]
    assert found(corpus, "小说", filters={"clc": "i", "year": "2019"}) == ["ordinary_world"]
    assert found(corpus, "", filters={"language": "eng"}) == ["programming_perl", "loneliness", "library_journal"]


def test_library_facet_is_the_cataloguing_library(corpus):
    # given two records catalogued by a library
    library = make_network().county
    for slug in ("dream_red", "fortress"):
        corpus[slug].library = library
        corpus[slug].save(update_fields=["library"])
    index_records([corpus["dream_red"], corpus["fortress"]])
    # then the library facet counts them under its name, and filters by its id
    result = search("人民文学出版社")
    assert [(v.value, v.label, v.count) for v in result.facets["library"]] == [(str(library.pk), library.name, 2)]
    assert found(corpus, "人民文学出版社", filters={"library": str(library.pk)}) == ["dream_red", "fortress"]


def test_facets_can_be_skipped(corpus):
    assert search("辽宁", facets=False).facets == {}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"page": 0}, "page"),
        ({"per_page": 0}, "per_page"),
        ({"per_page": 101}, "per_page"),
        ({"filters": {"colour": "red"}}, "filters"),
        ({"filters": {"year": "recent"}}, "year"),
        ({"filters": {"clc": "W"}}, "clc"),
    ],
)
def test_bad_paging_and_filters_are_refused_with_the_field_named(corpus, kwargs, field):
    with pytest.raises(InvalidInput) as refused:
        search("辽宁", **kwargs)
    assert refused.value.field == field


def test_hits_carry_what_lists_show_without_a_query_per_hit(corpus, django_assert_num_queries):
    # given a record catalogued by a library
    library = make_network().county
    corpus["dream_red"].library = library
    corpus["dream_red"].save(update_fields=["library"])
    # when a search returns it among others
    result = search("红楼梦")
    # then every field a list, the API and `shelfmark search` show is loaded, the library too
    with django_assert_num_queries(0):
        shown = [
            (hit.title, hit.title_romanized, hit.responsibility, hit.authors, hit.publisher, hit.year, hit.isbn,
             hit.clc_class, hit.resource_type, hit.marc_format, hit.library.code if hit.library else None)
            for hit in result.hits
        ]  # fmt: skip
    assert shown[0] == (
        "红楼梦", "", "", ["曹雪芹", "高鹗"], "人民文学出版社", 2008, "9787020002207", "I242.47", "print", "cnmarc",
        library.code,
    )  # fmt: skip
    assert [row[10] for row in shown[1:]] == [None] * (len(shown) - 1)


def test_a_capped_count_keeps_the_ranking_and_samples_the_facets(corpus, monkeypatch):
    # given the full ranking of a query
    ranked = found(corpus, "辽宁")
    # when the count cap and the facet sample are smaller than its hits
    monkeypatch.setattr("shelfmark.catalog.search.selectors.COUNT_CAP", 3)
    monkeypatch.setattr("shelfmark.catalog.search.selectors.FACET_SAMPLE", 2)
    first, second = search("辽宁", per_page=2), search("辽宁", per_page=2, page=2)
    # then the total says it was capped, the pages walk the same ranking, the facets count a sample
    assert (first.total, first.total_exact, first.facets_exact) == (3, False, False)
    assert slugs(corpus, first.hits + second.hits) == ranked[:4]
    assert sum(value.count for value in first.facets["language"]) == 2


@pytest.mark.parametrize("max_walk", [200_000, 1])
def test_beyond_the_cap_every_page_follows_the_full_ranking(corpus, monkeypatch, max_walk):
    # given the full rankings of three-tier queries (exact title, title words, the rest), narrowed or not
    cases = [("辽宁省志", {}), ("人民", {}), ("人民", {"clc": "I"}), ("人民 year:2010-", {})]
    full = [found(corpus, q, per_page=100, filters=filters) for q, filters in cases]
    assert all(len(ranking) >= 3 for ranking in full) and len({tuple(ranking) for ranking in full}) == 4
    # when the count is capped below the hits, so pages are read tier by tier (on PostgreSQL below the id that
    # ends the page among the sample's hits of the tier, or by a walk in id order where the sample says a tier
    # is dense, or by the index when a walk of `max_walk` rows ends short)
    monkeypatch.setattr("shelfmark.catalog.search.selectors.COUNT_CAP", 1)
    monkeypatch.setattr("shelfmark.catalog.search.tier_reads.MAX_WALK", max_walk)
    with CaptureQueriesContext(connection) as statements:
        for (q, filters), expected in zip(cases, full, strict=True):
            pages = [search(q, per_page=2, page=n, filters=filters) for n in range(1, len(expected) // 2 + 2)]
            # then the pages, one after another, are the full ranking
            assert [slug for page in pages for slug in slugs(corpus, page.hits)] == expected
            assert all(page.total == 1 and not page.total_exact for page in pages)
    sql = [statement["sql"] for statement in statements.captured_queries]
    walks = sum("FROM catalog_search ORDER BY record_id LIMIT" in statement for statement in sql)
    bounded = sum("set_config('enable_indexscan', 'off'" in statement for statement in sql)
    assert (walks > 0, bounded > 0) == ((True, True) if connection.vendor == "postgresql" else (False, False))
