"""Pure policy of book lists: the age bands of children's reading and which CLC classes speak to which band.

The Chinese Library Classification says a book is for children (I28 儿童文学, Z228 少儿读物, G613 幼儿启蒙 and
the children's literature of other countries, I<country>.8) but not for which age. The children's view places a
title by, first, the age band of a published children's list that recommends it (a librarian's judgement), and
only otherwise by the table below, read longest prefix first: early-learning books (G613) for 0–3, picture
stories (I287.8 图画故事, the class of 绘本) for 4–6, children's novels (I287.45) and children's series and
encyclopaedias (Z228) for 10–12, the rest of Chinese and foreign children's literature for 7–9. Nothing is placed
in 13+ by class: teenagers read from the general classes, so that band holds only what lists give it.
"""

from __future__ import annotations

from shelfmark.booklists.models import AgeBand

# CLC class prefix → age band; the longest matching prefix decides.
CHILDREN_CLASS_BANDS: dict[str, str] = {
    "G613": AgeBand.AGE_0_3,  # 学前教育·教学内容: 认知启蒙、幼儿读物
    "I287.8": AgeBand.AGE_4_6,  # 中国儿童文学·图画故事（绘本）
    "I287.45": AgeBand.AGE_10_12,  # 中国儿童文学·儿童小说
    "I28": AgeBand.AGE_7_9,  # 中国儿童文学
    "I106.8": AgeBand.AGE_7_9,  # 世界儿童文学
    "I313.8": AgeBand.AGE_7_9,  # 日本儿童文学
    "I512.8": AgeBand.AGE_7_9,  # 俄罗斯儿童文学
    "I516.8": AgeBand.AGE_7_9,  # 德国儿童文学
    "I534.8": AgeBand.AGE_7_9,  # 丹麦儿童文学
    "I546.8": AgeBand.AGE_7_9,  # 意大利儿童文学
    "I561.8": AgeBand.AGE_7_9,  # 英国儿童文学
    "I565.8": AgeBand.AGE_7_9,  # 法国儿童文学
    "I611.8": AgeBand.AGE_7_9,  # 澳大利亚儿童文学
    "I711.8": AgeBand.AGE_7_9,  # 加拿大儿童文学
    "I712.8": AgeBand.AGE_7_9,  # 美国儿童文学
    "Z228": AgeBand.AGE_10_12,  # 少儿读物：少儿丛书、少儿百科
}


def age_band_for_class(clc_class: str) -> str | None:
    """Return the age band a CLC class number speaks to, or None when the class is not a children's class."""
    code = clc_class.strip().upper()
    for prefix in sorted(CHILDREN_CLASS_BANDS, key=len, reverse=True):
        if code.startswith(prefix):
            return CHILDREN_CLASS_BANDS[prefix]
    return None


def class_prefixes(band: str) -> tuple[list[str], list[str]]:
    """Return the class prefixes that place a title in `band`, and the longer ones inside them that place it elsewhere."""
    included = [prefix for prefix, placed in CHILDREN_CLASS_BANDS.items() if placed == band]
    excluded = [
        prefix
        for prefix, placed in CHILDREN_CLASS_BANDS.items()
        if placed != band and any(prefix.startswith(shorter) and prefix != shorter for shorter in included)
    ]
    return included, excluded


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """Return [low, high) bounds of the strings that start with `prefix`, for an index range instead of LIKE."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
