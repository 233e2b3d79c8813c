"""The search vocabulary: prefixes a reader types (text, pinyin, initials, either script) and near misses."""

import pytest

from shelfmark.catalog.models import Record
from shelfmark.catalog.search import vocabulary
from shelfmark.catalog.search.index import index_records, rebuild
from shelfmark.catalog.tests.search_corpus import build_corpus
from shelfmark.catalog.text import title_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    return build_corpus()


def labels(terms):
    return [(term.kind, term.label) for term in terms]


def test_a_title_is_suggested_by_its_first_characters(corpus):
    assert ("t", "红楼梦") in labels(vocabulary.starting_with("红楼"))


@pytest.mark.parametrize("typed", ["hongloumeng", "honglou", "hlm", "hong lou"])
def test_a_title_is_suggested_by_full_pinyin_and_initials(corpus, typed):
    assert labels(vocabulary.starting_with(typed))[0] == ("t", "红楼梦")


def test_traditional_characters_suggest_the_simplified_and_traditional_titles(corpus):
    # given 红楼梦 and 紅樓夢 catalogued: one title as the reader reads it (the first catalogued spelling)
    found = labels(vocabulary.starting_with("紅樓"))
    assert found[0] == ("t", "红楼梦")
    assert ("t", "紅樓夢研究") in found
    assert labels(vocabulary.starting_with("图书馆学")) == labels(vocabulary.starting_with("圖書館學"))


def test_authors_are_suggested_by_name_and_pinyin(corpus):
    assert ("a", "鲁迅") in labels(vocabulary.starting_with("鲁"))
    # the name typed whole comes first, then the title that starts with it
    assert labels(vocabulary.starting_with("luxun")) == [("a", "鲁迅"), ("t", "鲁迅全集")]
    assert ("a", "曹雪芹") in labels(vocabulary.starting_with("caoxue"))
    # initials are kept for titles (hlm) only: three letters name too many people to help


def test_titles_come_before_names_and_title_words_are_not_suggested(corpus):
    found = vocabulary.starting_with("liaoning")
    assert found[0].kind == "t"
    assert all(term.kind in ("t", "a") for term in found)
    assert ("t", "辽宁省志") in labels(found) and ("a", "辽宁省地方志编纂委员会") in labels(found)


def test_nothing_is_suggested_for_punctuation_or_an_unknown_prefix(corpus):
    assert vocabulary.starting_with(" ;; ") == []
    assert vocabulary.starting_with("zzzzq") == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("红楼孟", "红楼梦"),  # a homophone from a pinyin input method
        ("hongloumen", "红楼梦"),  # a syllable cut short
        ("Programing Perl", "Programming Perl"),  # an English spelling slip
        ("平凡的世介", "平凡的世界"),
        ("liuchixin", "刘慈欣"),  # an author's name, pinyin misspelt
    ],
)
def test_a_near_miss_is_matched_to_the_title_or_name_meant(corpus, typed, meant):
    assert vocabulary.closest(typed)[0].label == meant


def test_a_query_far_from_everything_has_no_near_miss(corpus):
    assert vocabulary.closest("qqqqxxxx") == []
    assert vocabulary.closest("") == []


def test_the_exact_text_is_not_its_own_near_miss(corpus):
    assert "红楼梦" not in [near.label for near in vocabulary.closest("红楼梦")]


def test_indexing_the_same_record_again_adds_no_rows_and_a_rebuild_drops_stale_ones(corpus):
    # given the vocabulary of the corpus
    before = _rows()
    # when a record is indexed again
    index_records([corpus["dream_red"]])
    # then nothing is added
    assert _rows() == before
    # when a title leaves the catalogue and the index is rebuilt
    corpus["three_body"].delete()
    Record.objects.create(title="三体 : 黑暗森林", title_key=title_key("三体黑暗森林"), marc={}, marc_format="cnmarc")
    rebuild()
    # then its rows are gone and the new title is there
    assert ("t", "三体") not in labels(vocabulary.starting_with("santi"))
    assert labels(vocabulary.starting_with("santi"))[0] == ("t", "三体 : 黑暗森林")


def _rows():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT term, kind, form, target, label FROM {vocabulary.TABLE} ORDER BY term, kind, target")
        return cursor.fetchall()
