import pytest

from shelfmark.catalog import text
from shelfmark.catalog.marc.extract import MissingTitle, UnknownMarcFormat, clean, extract
from shelfmark.catalog.tests import marc_samples as samples
from shelfmark.catalog.tests.marc_samples import control, field, record


def test_chinese_marc21_shows_the_original_script_and_keeps_the_pinyin():
    values = extract(samples.chinese_marc21())

    assert values.marc_format == "marc21"
    assert values.title == "红楼梦"
    assert values.title_romanized == "Hong lou meng"
    assert values.title_key == "红楼梦"
    assert values.responsibility == "曹雪芹著"
    assert values.authors == ["曹雪芹", "Cao, Xueqin"]
    assert (values.publisher, values.place, values.year) == ("人民文学出版社", "北京", 2019)
    assert values.isbn == "9787020002207" and values.language == "chi"
    assert values.subjects == ["Chinese fiction--Qing dynasty, 1644-1912"]


def test_cnmarc_fields_come_from_200_701_210_010_690_606():
    values = extract(samples.cnmarc())

    assert values.marc_format == "cnmarc"
    assert values.control_number == "012019000123"
    assert values.title == "辽宁　地方志"
    assert values.title_key == text.title_key("辽宁地方志") == "辽宁地方志"  # U+3000 does not split the title
    assert values.title_romanized == "liao ning di fang zhi"
    assert values.other_titles == ["编纂研究"]
    assert values.responsibility == "张三主编"
    assert values.authors == ["张三"]
    assert (values.publisher, values.place, values.year) == ("辽宁人民出版社", "沈阳", 2019)
    assert (values.isbn, values.isbns) == ("9787020002207", ["9787020002207"])
    assert values.clc_class == "K293.1"
    assert values.subjects == ["地方志--研究--辽宁"]
    assert values.language == "chi" and values.resource_type == "print"
    assert values.marc["fields"][4]["200"]["subfields"][0] == {"a": "辽宁　地方志"}


def test_an_explicit_format_overrides_detection():
    with pytest.raises(MissingTitle) as refused:
        extract(samples.cnmarc(), marc_format="marc21")

    assert refused.value.code == "missing_title"
    assert refused.value.message == "书目记录 012019000123 没有题名（245 $a）。"
    with pytest.raises(UnknownMarcFormat):
        extract(samples.cnmarc(), marc_format="unimarc")


def test_a_record_without_any_title_is_refused():
    untitled = record("00000cam a2200000 a 4500", control("001", "x1"), field("100", a="Somebody"))

    with pytest.raises(MissingTitle, match=r"书目记录 x1 没有题名（245 \$a）"):
        extract(untitled)


def test_isbn_10_and_13_forms_are_normalised_to_distinct_valid_isbn_13s():
    book = record(
        "00000cam a2200000 a 4500",
        field("020", a="0-19-852663-6 (pbk.)"),
        field("020", a="978-0-19-852663-6"),
        field("020", a="020161622x"),
        field("020", a="0-19-852663-7"),  # wrong check digit
        field("020", z="9787020002207"),  # cancelled ISBN: not this book's
        field("245", "10", a="A book."),
    )

    values = extract(book)

    assert values.isbn == "9780198526636"
    assert values.isbns == ["9780198526636", "9780201616224"]


def test_clc_in_marc21_comes_from_084_with_source_clc():
    book = record(
        "00000cam a2200000 a 4500",
        field("050", " 4", a="PL2727", b=".S2 2019"),
        field("084", a="I242.47", _2="clc"),
        field("084", a="810", _2="ndc"),
        field("245", "10", a="A book."),
    )

    values = extract(book)

    assert values.clc_class == "I242.47"
    assert values.other_classes == ["810", "PL2727 .S2 2019"]


def f008(kind: str = "s", date: str = "2019", form: str = " ", language: str = "chi") -> str:
    """Build a books 008: date 1 at 07-10, form of item at 23, language at 35-37."""
    return f"190301{kind}{date}    cc {' ' * 5}{form}{' ' * 11}{language}  "


@pytest.mark.parametrize(
    ("leader", "extra", "fixed", "expected"),
    [
        ("00000cam a2200000 a 4500", [], f008(), "print"),
        ("00000cas a2200000 a 4500", [], f008(kind="c"), "periodical"),
        ("00000cam a2200000 a 4500", [control("007", "he bmb024baca")], "", "microform"),
        ("00000cam a2200000 a 4500", [], f008(form="b"), "microform"),
        ("00000cam a2200000 a 4500", [], f008(form="o"), "web"),
        ("00000cmm a2200000 a 4500", [], "", "digital"),
        ("00000cjm a2200000 a 4500", [], "", "audiovisual"),
        ("00000cam a2200000 a 4500", [], f008(date="1798"), "ancient"),
        ("00000cam a2200000 a 4500", [], f008(date="1798", language="eng"), "print"),
    ],
)
def test_marc21_resource_type_comes_from_leader_007_and_008(leader, extra, fixed, expected):
    fields = [*extra, control("008", fixed)] if fixed else extra
    values = extract(record(leader, *fields, field("245", "10", a="Title.")))

    assert values.resource_type == expected


@pytest.mark.parametrize(
    ("leader", "extra", "expected"),
    [
        ("00000nas0 2200000   450 ", [], "periodical"),
        ("00000nam0 2200000   450 ", [field("191", a="abc")], "ancient"),
        ("00000nam0 2200000   450 ", [field("130", a="b")], "microform"),
        ("00000nlm0 2200000   450 ", [], "digital"),
        ("00000nlm0 2200000   450 ", [field("856", u="http://example.org/")], "web"),
        ("00000njm0 2200000   450 ", [], "audiovisual"),
    ],
)
def test_cnmarc_resource_type_comes_from_leader_and_coded_fields(leader, extra, expected):
    assert extract(samples.cnmarc(*extra, leader=leader)).resource_type == expected


def test_local_document_and_legal_deposit_flags_follow_the_998_convention():
    plain = extract(samples.chinese_marc21())
    deposit = extract(samples.cnmarc(field("998", a="呈缴本")))
    local = extract(samples.cnmarc(field("998", a="地方文献")))
    about_the_province = extract(samples.cnmarc(field("607", a="辽宁", x="地方史")))

    assert (plain.is_local_document, plain.is_legal_deposit) == (False, False)
    assert (deposit.is_local_document, deposit.is_legal_deposit) == (False, True)
    assert (local.is_local_document, local.is_legal_deposit) == (True, False)
    assert about_the_province.is_local_document is True


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Hong lou meng /", "Hong lou meng"),
        ("from journeyman to master /", "from journeyman to master"),
        ("红楼梦 ：", "红楼梦"),
        ("Cao, Xueqin,", "Cao, Xueqin"),
        ("Thomas H. Cormen ... [et al.].", "Thomas H. Cormen ... [et al.]"),
        ("Brown, Martin C.", "Brown, Martin C."),
        ("\x88The\x89 title.", "The title"),
    ],
)
def test_isbd_punctuation_and_non_sort_marks_are_stripped(raw, cleaned):
    assert clean(raw) == cleaned
