from shelfmark.catalog.text import has_cjk, normalize, title_key


def test_ideographic_and_full_width_spaces_inside_chinese_do_not_split():
    assert normalize("中国\u3000近代史") == "中国近代史"
    assert normalize("中国 \u3000 近代史") == "中国近代史"


def test_full_width_latin_and_digits_become_half_width_lower_case():
    assert normalize("ＩＳＢＮ　９７８") == "isbn 978"


def test_traditional_folds_to_simplified():
    assert normalize("圖書館學概論") == "图书馆学概论"


def test_spaces_between_latin_words_are_kept():
    assert normalize("  Programming   Perl ") == "programming perl"


def test_title_key_ignores_punctuation_diacritics_and_forms():
    assert title_key("紅樓夢 : 校注本 /") == title_key("红楼梦：校注本")
    assert title_key("Escape from loneliness /") == "escapefromloneliness"
    assert title_key("Čechov") == "cechov"


def test_has_cjk():
    assert has_cjk("abc 中") is True
    assert has_cjk("abc") is False
