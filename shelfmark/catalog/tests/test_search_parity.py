"""The same queries give the same records in the same order on every engine.

CI runs the suite once on SQLite (FTS5) and once on PostgreSQL (tsvector + pg_trgm); both runs
compare against this one table, so passing twice proves the engines agree on the shared corpus.
"""

import pytest

from shelfmark.catalog.search.selectors import search, search_ids
from shelfmark.catalog.tests.search_corpus import build_corpus, slugs

EXPECTED = {
    "辽宁省志": ["liaoning_zhi", "liaoning_zhi_geography", "northeast_gazetteers"],
    # titles first (tier 1, by id), then the subject match (tier 2)
    "辽宁": ["liaoning_zhi", "liaoning_zhi_geography", "liaoning_history", "liaoning_yearbook", "northeast_gazetteers"],
    "liaoning": ["liaoning_zhi", "liaoning_zhi_geography", "liaoning_history", "liaoning_yearbook"],
    "lnsz": ["liaoning_zhi", "liaoning_zhi_geography"],
    "圖書館": ["library_science_trad", "library_science", "clc_manual", "digital_library"],
    "图书馆学": ["library_science_trad", "library_science"],
    "红楼梦": ["dream_red", "dream_red_again", "dream_red_study"],
    "紅樓夢 研究": ["dream_red_study"],
    "hongloumeng": ["dream_red", "dream_red_study", "dream_red_again"],
    "中国近代史": ["modern_history", "modern_history_pinyin"],
    "zhongguo jin dai shi": ["modern_history_pinyin", "modern_history"],
    '"中国图书馆"': ["clc_manual"],
    "title:辽宁省志": ["liaoning_zhi", "liaoning_zhi_geography"],
    "author:鲁迅": ["lu_xun_works", "call_to_arms"],
    "subject:长篇小说": ["ordinary_world", "to_live", "three_body", "fortress"],
    "publisher:人民文学出版社": ["dream_red", "lu_xun_works", "call_to_arms", "fortress", "dream_red_again"],
    "class:I24": ["dream_red", "golden_age", "ordinary_world", "to_live", "three_body", "fortress", "dream_red_again"],
    "class:TP311": ["python_crash", "data_structures"],
    "year:2019-2021": ["liaoning_zhi", "networks", "data_structures", "civil_code", "ordinary_world",
                       "three_gorges", "liaoning_yearbook", "library_journal"],
    "小说 year:2010-": ["golden_age", "ordinary_world", "to_live"],
    "9787536412347": ["three_body"],
    "7-5364-1234-7": ["three_body"],
    "isbn:978-7-04-012345-6": ["data_structures"],
    "programming perl": ["programming_perl"],
    "library": ["library_journal"],
    "计算机网络": ["networks"],
    "网络": ["networks"],
    "数据结构 教材": ["data_structures"],
    # subject and two corporate authors; 东北方志研究 has 方志, not 地方志
    "地方志": ["liaoning_zhi", "liaoning_zhi_geography", "three_gorges"],
    # the one title with 人民 (中华人民共和国民法典), then publishers
    "人民": ["civil_code", "liaoning_zhi", "liaoning_zhi_geography", "modern_history", "dream_red", "lu_xun_works",
             "call_to_arms", "python_crash", "fortress", "dream_red_again"],
    "盛京时报": ["shengjing_times"],
    "四库全书": ["siku"],
    "santi": ["three_body"],
    "wangxiaobo": ["golden_age"],
}  # fmt: skip


@pytest.mark.django_db
def test_every_engine_returns_the_expected_ranking():
    # given the shared corpus indexed on this run's database
    corpus = build_corpus()
    # when every query of the set runs
    got = {q: slugs(corpus, search(q, per_page=100).hits) for q in EXPECTED}
    # then each returns exactly the expected records in the expected order
    assert got == EXPECTED


@pytest.mark.django_db
def test_export_ids_follow_the_same_ranking():
    corpus = build_corpus()
    got = {q: slugs(corpus, list(search_ids(q))) for q in EXPECTED}
    assert got == EXPECTED
