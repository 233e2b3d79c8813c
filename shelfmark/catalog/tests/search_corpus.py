"""A small catalogue for search tests: Chinese (simplified and traditional), pinyin-only, English.

Records are named by a slug so that tests state expected results by name; ids differ per run.
"""

from __future__ import annotations

from typing import Any

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.index import index_records
from shelfmark.catalog.text import title_key

CORPUS: list[dict[str, Any]] = [
    # slug, then Record fields. Order matters: it is the id order, the ranking's tie-break.
    {"slug": "liaoning_zhi", "title": "辽宁省志", "authors": ["辽宁省地方志编纂委员会"], "publisher": "辽宁人民出版社",
     "place": "沈阳", "year": 2019, "isbn": "9787205012342", "clc_class": "K293.1", "subjects": ["地方志--辽宁"],
     "is_local_document": True},
    {"slug": "liaoning_zhi_geography", "title": "辽宁省志 : 地理志", "authors": ["辽宁省地方志编纂委员会"],
     "publisher": "辽宁人民出版社", "year": 2003, "clc_class": "K929.31", "subjects": ["地理--辽宁"],
     "is_local_document": True},
    {"slug": "northeast_gazetteers", "title": "东北方志研究", "authors": ["王明"], "year": 2011,
     "clc_class": "K290", "subjects": ["辽宁省志--研究"], "publisher": "吉林大学出版社"},
    {"slug": "liaoning_history", "title": "辽宁通史", "authors": ["张志强"], "year": 2009, "clc_class": "K293.1",
     "publisher": "辽宁民族出版社", "subjects": ["辽宁--地方史"]},
    {"slug": "library_science_trad", "title": "圖書館學概論", "authors": ["吳慰慈"], "year": 1985,
     "clc_class": "G250", "publisher": "書目文獻出版社", "subjects": ["圖書館學"]},
    {"slug": "library_science", "title": "图书馆学概论", "authors": ["吴慰慈", "董焱"], "year": 2008,
     "clc_class": "G250", "publisher": "国家图书馆出版社", "isbn": "9787302123453", "subjects": ["图书馆学"]},
    {"slug": "clc_manual", "title": "中国图书馆分类法", "authors": ["国家图书馆"], "year": 2010,
     "clc_class": "G254.122", "publisher": "国家图书馆出版社", "subjects": ["图书分类法"]},
    {"slug": "modern_history_pinyin", "title": "Zhongguo jin dai shi", "title_romanized": "Zhongguo jin dai shi",
     "authors": ["Fan, Wenlan"], "year": 1955, "clc_class": "K250", "marc_format": "marc21",
     "subjects": ["China--History--19th century"]},
    {"slug": "modern_history", "title": "中国近代史", "title_romanized": "Zhongguo jin dai shi",
     "authors": ["范文澜"], "year": 1962, "clc_class": "K250", "marc_format": "marc21",
     "publisher": "人民出版社"},
    {"slug": "programming_perl", "title": "Programming Perl", "authors": ["Wall, Larry"], "year": 2000,
     "isbn": "9780596000271", "language": "eng", "other_classes": ["QA76.73.P22"], "publisher": "O'Reilly",
     "marc_format": "marc21", "subjects": ["Perl (Computer program language)"]},
    {"slug": "loneliness", "title": "Escape from loneliness", "authors": ["Tournier, Paul"], "year": 1962,
     "language": "eng", "marc_format": "marc21", "subjects": ["Loneliness"]},
    {"slug": "dream_red", "title": "红楼梦", "authors": ["曹雪芹", "高鹗"], "year": 2008, "clc_class": "I242.47",
     "isbn": "9787020002207", "publisher": "人民文学出版社", "subjects": ["章回小说--中国--清代"]},
    {"slug": "dream_red_study", "title": "紅樓夢研究", "authors": ["俞平伯"], "year": 1952, "clc_class": "I207.411",
     "publisher": "棠棣出版社", "subjects": ["紅樓夢--研究"]},
    {"slug": "lu_xun_works", "title": "鲁迅全集", "authors": ["鲁迅"], "year": 2005, "clc_class": "I210.1",
     "publisher": "人民文学出版社", "isbn": "9787020042104"},
    {"slug": "call_to_arms", "title": "呐喊", "authors": ["鲁迅"], "year": 1973, "clc_class": "I210.6",
     "publisher": "人民文学出版社", "subjects": ["短篇小说--小说集--中国--现代"]},
    {"slug": "python_crash", "title": "Python编程：从入门到实践", "authors": ["马瑟斯"], "year": 2016,
     "clc_class": "TP311.561", "isbn": "9787115123459", "publisher": "人民邮电出版社", "subjects": ["程序设计"]},
    {"slug": "networks", "title": "计算机网络", "authors": ["谢希仁"], "year": 2021, "clc_class": "TP393",
     "publisher": "电子工业出版社", "subjects": ["计算机网络--高等学校--教材"]},
    {"slug": "data_structures", "title": "数据结构", "authors": ["严蔚敏"], "year": 2020, "clc_class": "TP311.12",
     "publisher": "清华大学出版社", "isbn": "9787040123456", "subjects": ["数据结构--高等学校--教材"]},
    {"slug": "civil_code", "title": "中华人民共和国民法典", "authors": ["全国人民代表大会"], "year": 2020,
     "clc_class": "D923", "publisher": "法律出版社", "is_legal_deposit": True, "subjects": ["民法--中国"]},
    {"slug": "golden_age", "title": "黄金时代", "authors": ["王小波"], "year": 2017, "clc_class": "I247.5",
     "publisher": "北京十月文艺出版社", "subjects": ["中篇小说--小说集--中国--当代"]},
    {"slug": "ordinary_world", "title": "平凡的世界", "authors": ["路遥"], "year": 2019, "clc_class": "I247.57",
     "publisher": "北京十月文艺出版社", "isbn": "9787539900018", "subjects": ["长篇小说--中国--当代"]},
    {"slug": "to_live", "title": "活着", "authors": ["余华"], "year": 2012, "clc_class": "I247.57",
     "publisher": "作家出版社", "subjects": ["长篇小说--中国--当代"]},
    {"slug": "three_body", "title": "三体", "authors": ["刘慈欣"], "year": 2008, "clc_class": "I247.55",
     "publisher": "重庆出版社", "isbn": "9787536412347", "subjects": ["科学幻想小说--长篇小说--中国--当代"]},
    {"slug": "fortress", "title": "围城", "authors": ["钱钟书"], "year": 1991, "clc_class": "I246.5",
     "publisher": "人民文学出版社", "subjects": ["长篇小说--中国--现代"]},
    {"slug": "three_gorges", "title": "长江三峡", "authors": ["重庆市地方志办公室"], "year": 2021,
     "clc_class": "K928.42", "publisher": "重庆出版社", "resource_type": "digital", "subjects": ["长江--三峡"]},
    {"slug": "liaoning_yearbook", "title": "辽宁年鉴", "authors": ["辽宁年鉴编辑部"], "year": 2021,
     "clc_class": "Z52", "resource_type": "periodical", "is_local_document": True, "subjects": ["辽宁--年鉴"]},
    {"slug": "shengjing_times", "title": "盛京時報", "year": 1906, "clc_class": "G219.29",
     "resource_type": "microform", "is_local_document": True, "subjects": ["报纸--沈阳"]},
    {"slug": "digital_library", "title": "数字图书馆建设研究", "authors": ["李明"], "year": 2018,
     "clc_class": "G250.76", "resource_type": "digital", "subjects": ["数字图书馆--建设--研究"]},
    {"slug": "siku", "title": "四庫全書總目", "authors": ["永瑢"], "year": 1965, "clc_class": "Z838",
     "resource_type": "ancient", "publisher": "中华书局", "isbn": "9787101000016", "subjects": ["四库全书--目录"]},
    {"slug": "library_journal", "title": "Journal of library science in China", "year": 2021,
     "language": "eng", "issn": "1001-8867", "resource_type": "periodical", "clc_class": "G25",
     "marc_format": "marc21"},
    {"slug": "dream_red_again", "title": "紅樓夢", "authors": ["曹雪芹"], "year": 1982, "clc_class": "I242.47",
     "publisher": "人民文學出版社", "isbn": "9787020101917", "subjects": ["章回小说"]},
]  # fmt: skip


def build_corpus(**overrides: Any) -> dict[str, Record]:
    """Create and index the corpus records in CORPUS order; return them by slug."""
    records: dict[str, Record] = {}
    for entry in CORPUS:
        fields = {"marc_format": "cnmarc", "language": "chi", "marc": {}, **entry, **overrides}
        slug = fields.pop("slug")
        isbn = fields.get("isbn", "")
        fields.setdefault("isbns", [isbn] if isbn else [])
        record = Record.objects.create(title_key=title_key(fields["title"]), **fields)
        records[slug] = record
    index_records(list(records.values()))
    return records


def slugs(records: dict[str, Record], hits: list[Record] | list[int]) -> list[str]:
    """Name the hits (records or ids) by their corpus slug, in order."""
    by_id = {record.pk: slug for slug, record in records.items()}
    return [by_id[hit if isinstance(hit, int) else hit.pk] for hit in hits]
