"""Search tokens: what the index stores for a record, and how query text is cut the same way."""

from types import SimpleNamespace
from typing import Any

from shelfmark.catalog.search.tokens import (
    class_token,
    fold,
    index_words,
    isbn_token,
    issn_token,
    pinyin_forms,
    query_words,
    record_tokens,
    whole_forms,
)


def _record(**fields: Any) -> SimpleNamespace:
    base: dict[str, Any] = {
        "pk": 1,
        "title": "",
        "other_titles": [],
        "title_romanized": "",
        "authors": [],
        "responsibility": "",
        "subjects": [],
        "publisher": "",
        "place": "",
        "year": None,
        "isbn": "",
        "isbns": [],
        "issn": "",
        "clc_class": "",
        "other_classes": [],
        "title_key": "",
        "resource_type": "print",
        "language": "chi",
        "library_id": None,
    }
    return SimpleNamespace(**{**base, **fields})


def test_title_gets_words_sub_words_pinyin_and_initials():
    # given a Chinese title
    record = _record(title="辽宁省志")
    # when its tokens are built
    title = record_tokens(record).fields["t"]
    # then a reader's words, full pinyin and initials are all there
    assert {"辽宁", "辽宁省", "志"} <= set(title)
    assert {"liaoning", "liaoningsheng", "liaoningshengzhi"} <= set(title)
    assert {"ln", "lns", "lnsz"} <= set(title)


def test_each_part_of_a_title_is_also_a_whole_for_pinyin():
    # given a title with a part after a colon
    title = record_tokens(_record(title="辽宁省志 : 地理志")).fields["t"]
    # then the part before the colon can be typed as one pinyin word, and so can the whole
    assert {"liaoningshengzhi", "lnsz", "dilizhi", "liaoningshengzhidilizhi"} <= set(title)


def test_traditional_title_is_indexed_in_simplified_form():
    tokens = record_tokens(_record(title="圖書館學概論")).fields["t"]
    assert "图书馆" in tokens
    assert "圖書館" not in tokens


def test_ideographic_space_inside_a_title_does_not_split_words():
    assert "近代史" in record_tokens(_record(title="中国\u3000近代史")).fields["t"]


def test_romanized_title_is_indexed_without_diacritics_and_as_one_word():
    tokens = record_tokens(_record(title="Zhōngguó jìn dài shǐ", title_romanized="Zhōngguó jìn dài shǐ")).fields["t"]
    assert {"zhongguo", "jin", "dai", "shi", "zhongguojindaishi"} <= set(tokens)


def test_author_names_get_pinyin_but_subjects_and_publishers_do_not():
    # given a record with an author, a subject and a publisher
    row = record_tokens(_record(title="呐喊", authors=["鲁迅"], subjects=["小说"], publisher="人民文学出版社"))
    # then the author's pinyin is searchable; subjects and publishers keep their words only
    assert {"鲁迅", "luxun", "lx"} <= set(row.fields["a"])
    assert row.fields["s"] == ["小说"]
    assert "renmin" not in row.fields["p"]


def test_identifiers_and_classes_are_normalised():
    row = record_tokens(
        _record(title="x", isbn="9787020002207", isbns=["7-02-000220-X"], issn="1001-8867", clc_class="I247.5")
    )
    assert row.fields["i"] == ["9787020002207", "10018867"]
    assert row.fields["c"] == ["i247.5"]


def test_facet_row_holds_the_exact_title_key_and_the_clc_main_class():
    row = record_tokens(_record(title="x", title_key="x", clc_class="i247.5", year=2019, library_id=7))
    assert row.facets == ("x", "print", "chi", 2019, "I", 7)
    assert record_tokens(_record(title="x", clc_class="830")).facets[4] == ""


def test_phrase_text_holds_each_field_folded():
    row = record_tokens(_record(title="紅樓夢", authors=["曹雪芹"]))
    assert row.text == "红楼梦 / 曹雪芹"


def test_query_words_are_among_the_index_words_of_the_same_text():
    # given texts whose search-mode cut adds sub-words
    for text in ["中华人民共和国图书馆学概论", "辽宁省志", "python编程:从入门到实践", "数字图书馆建设研究"]:
        # then every accurate-mode word of the text is indexed
        assert set(query_words(text)) <= set(index_words(text))


def test_fold_is_nfkc_simplified_lower_and_without_diacritics():
    assert fold("ＰＹＴＨＯＮ　圖書館 Čechov") == "python 图书馆 cechov"


def test_pinyin_forms_use_word_context_for_polyphones():
    assert pinyin_forms("重庆") == ("chongqing", "cq")
    assert pinyin_forms("长江") == ("changjiang", "cj")
    assert whole_forms("长江三峡") == ("changjiangsanxia", "cjsx")


def test_isbn_tokens_are_thirteen_digits_whatever_was_typed():
    assert isbn_token("978-7-02-000220-7") == "9787020002207"
    assert isbn_token("7-02-000220-X") == "9787020002207"
    assert isbn_token("702000220x") == "9787020002207"
    # an ISBN with a wrong check digit is kept as written, so the printed number still finds it
    assert isbn_token("7-02-000220-1") == "7020002201"


def test_issn_and_class_tokens():
    assert issn_token("1001-886X") == "1001886x"
    assert issn_token("not an issn") == ""
    assert class_token(" I247.5 ") == "i247.5"
    assert class_token("K928.9-64") == "k928.9-64"
    assert class_token("TP311.13(087)") == "tp311.13087"
