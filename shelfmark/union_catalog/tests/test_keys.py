"""Match keys: one book catalogued in CNMARC and in MARC 21, in traditional or simplified characters, with
full-width punctuation or ideographic spaces, gets the same keys; volumes and editions are read apart."""

from __future__ import annotations

import pytest

from shelfmark.catalog.marc.extract import extract
from shelfmark.union_catalog.keys import chinese_number, edition_of, fold, fullness, match_keys, volume_of

from .records import cnmarc, field, marc21


def test_folding_takes_away_script_width_spaces_and_punctuation():
    assert fold("遼寧\u3000地方志：研究") == fold("辽宁地方志研究") == "辽宁地方志研究"
    assert fold("ＰＹＴＨＯＮ　编程（第３版）") == "python编程第3版"
    assert fold("Économie politique") == "economiepolitique"


@pytest.mark.parametrize(
    ("title", "parts", "volume"),
    [
        ("辽宁通史 第一卷", [], "1"),
        ("辽宁通史 第十二册", [], "12"),
        ("辽宁通史·卷三", [], "3"),
        ("红楼梦 上册", [], "上"),
        ("Collected works. Vol. 2", [], "2"),
        ("辽宁通史", ["第2卷"], "2"),
        ("辽宁通史", ["2"], "2"),
        ("辽宁通史", [], ""),
    ],
)
def test_volume_is_read_from_the_part_subfields_or_the_title(title, parts, volume):
    assert volume_of(title, parts) == volume


@pytest.mark.parametrize(
    ("statements", "edition"),
    [
        (["第2版"], "2"),
        (["2版"], "2"),
        (["第二版"], "2"),
        (["2nd ed."], "2"),
        (["第1版"], ""),
        (["初版"], ""),
        (["修订版"], "rev"),
        (["2011年3月第2次印刷"], ""),
        ([], ""),
    ],
)
def test_edition_is_a_number_and_the_first_edition_is_none(statements, edition):
    assert edition_of(statements) == edition


def test_chinese_numerals():
    assert [chinese_number(text) for text in ("三", "十", "十二", "二十三", "一百零五", "12", "甲")] == [
        3,
        10,
        12,
        23,
        105,
        12,
        None,
    ]


def test_the_cnmarc_and_marc21_records_of_one_book_get_the_same_keys():
    # given one book catalogued by two members: CNMARC with traditional characters and an ISBN-10, MARC 21 with
    # simplified characters, an ideographic space, full-width punctuation and the ISBN-13
    cn = cnmarc(
        "遼寧地方志研究",
        control_number="c1",
        statement="張三著",
        author="張三",
        publisher="遼寧人民出版社",
        year=2019,
        isbn="7-205-01234-1",
    )
    us = marc21(
        "辽宁\u3000地方志：研究",
        control_number="m1",
        statement="张三 著",
        author="张三",
        publisher="辽宁人民出版社",
        year=2019,
        isbn="9787205012342",
    )

    # when their keys are read through the catalogue's extraction
    a, b = match_keys(extract(cn)), match_keys(extract(us))

    # then every key agrees
    keys = (
        "isbn",
        "isbns",
        "title_key",
        "author_key",
        "responsibility_key",
        "publisher_key",
        "year",
        "volume",
        "edition",
    )
    assert {name: getattr(a, name) for name in keys} == {name: getattr(b, name) for name in keys}
    assert (a.isbn, a.title_key, a.responsibility_key) == ("9787205012342", "辽宁地方志研究", "张三著")
    assert (a.marc_format, b.marc_format) == ("cnmarc", "marc21")


def test_fullness_counts_filled_fields_by_their_stated_weights():
    # given a brief record: ISBN 3, statement 2, author 2, publisher 2, year 2, place 1, language (008) 1
    brief = extract(
        marc21(
            "辽宁通史",
            control_number="b",
            statement="张三著",
            author="张三",
            publisher="辽宁人民出版社",
            year=2019,
            isbn="9787205012342",
        )
    )
    # and a fuller one: also a CLC class 3, two subjects 2 and a summary 1
    fuller = extract(
        marc21(
            "辽宁通史",
            control_number="f",
            statement="张三著",
            author="张三",
            publisher="辽宁人民出版社",
            year=2019,
            isbn="9787205012342",
            extra=[
                field("084", ("a", "K293.1"), ("2", "clc")),
                field("520", ("a", "本书叙述辽宁历史。")),
                field("650", ("a", "地方史")),
                field("651", ("a", "辽宁")),
            ],
        )
    )

    assert fullness(brief) == 13
    assert fullness(fuller) == 19


@pytest.mark.parametrize(
    ("title", "volume"),
    [
        ("辽宁通史 第二·卷", "2"),
        ("辽宁通史 第\u3000二卷", "2"),
        ("第三部门研究", ""),
        ("天下集注", ""),
        ("诗经 第三集", "3"),
    ],
)
def test_volume_markers_survive_spaces_and_punctuation_but_ordinary_words_are_no_volumes(title, volume):
    assert volume_of(title) == volume
