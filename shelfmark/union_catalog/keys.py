"""Match keys of a bibliographic record, and its fullness score: pure functions, no ORM.

The keys are read from what the catalogue's extraction gives (`catalog.marc.extract.RecordFields`, or a
`catalog.Record`, which has the same field names), so a CNMARC and a MARC 21 record of one book get the same
keys: the catalogue already reads 200/245 (titles with their part numbers), 200$f/245$c (responsibility),
210/260/264 (publisher), 100/008 (year) and 010/020 (ISBNs, as ISBN-13) of both formats. Folding is the
catalogue's own (`catalog.text`: NFKC turns full-width forms and U+3000 into plain ones, OpenCC t2s makes
traditional characters simplified, lower case), then spaces and punctuation go.

Volume and edition are keys of their own, compared as a hard block: 第二卷 and 第三卷, or 第2版 and the first
edition, are different manifestations however alike the rest is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from shelfmark.catalog import text

# --- fullness: the preferred record of a cluster is the one with the highest score ---------------------------
# Points for each filled field (subjects: one per heading, at most three), plus one per five MARC data fields
# beyond the first five, at most four: a record with a class number, an ISBN and subject headings beats a
# brief one. Ties go to our own catalogue's record, then to the oldest member.
FULLNESS_WEIGHTS: dict[str, int] = {
    "isbn": 3,
    "clc_class": 3,
    "responsibility": 2,
    "authors": 2,
    "publisher": 2,
    "year": 2,
    "place": 1,
    "language": 1,
    "other_titles": 1,
    "summary": 1,
}
SUBJECT_POINTS_MAX = 3
FIELD_POINTS_MAX = 4

_NUMERAL = "0-9一二三四五六七八九十百零〇两"
# 第N卷/册/辑 anywhere; 第N部/集/编/篇/期/季 only at the end, where they do not start a phrase (第三部门研究).
_VOLUME_CN = re.compile(rf"第\s*([{_NUMERAL}]+)\s*(?:(?:卷|册|辑|分册)|(?:部|集|编|篇|期|季)$)")
_VOLUME_CN_AFTER = re.compile(rf"(?:卷|册)\s*([{_NUMERAL}]+)\s*$")
_VOLUME_PART = re.compile(r"([上中下])\s*(?:卷|册|编|集|部)$")
_VOLUME_LATIN = re.compile(r"\b(?:vol|volume|v|bd|band|tome|t|part|pt|no|book)\.?\s*(\d{1,4})\b")
_DIGITS = re.compile(r"^\s*(\d{1,4})\s*$")
_EDITION_CN = re.compile(rf"第?\s*([{_NUMERAL}]+)\s*版")
_EDITION_LATIN = re.compile(r"\b(\d{1,3})\s*(?:st|nd|rd|th)?\.?\s*(?:ed|edn|edition|aufl|auflage|éd)\b")
_EDITION_WORDS = (("修订", "rev"), ("增订", "enl"), ("revised", "rev"), ("rev.", "rev"), ("enlarged", "enl"))
_FIRST_EDITION = ("初版", "first", "1st")
_PRINTING = re.compile(r"印刷|印次|次印|printing|impression|reprint")
_ACCENTED = re.compile("[\u00c0-\u024f\u0300-\u036f\u1e00-\u1eff]")
_NOT_WORD = re.compile(r"[\W_]+")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


class Described(Protocol):
    """What keys are read from: a catalogue Record or the extraction's RecordFields."""

    marc_format: str
    marc: Any
    title: str
    title_key: str
    other_titles: list[str]
    responsibility: str
    authors: list[str]
    publisher: str
    place: str
    year: int | None
    isbns: list[str]
    clc_class: str
    subjects: list[str]
    language: str


@dataclass(slots=True)
class MatchKeys:
    """A record's match keys, display fields and fullness: what a ClusterMember row holds."""

    title: str
    responsibility: str
    publisher: str
    year: int | None
    marc_format: str
    isbn: str
    isbns: list[str] = field(default_factory=list)
    title_key: str = ""
    author_key: str = ""
    responsibility_key: str = ""
    publisher_key: str = ""
    volume: str = ""
    edition: str = ""
    fullness: int = 0

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


def fold(value: str, size: int = 255) -> str:
    """Fold text for matching, as the catalogue's title key: NFKC, simplified, lower case, no diacritics, spaces
    or punctuation (diacritics are looked for only when the text has Latin letters that can carry them)."""
    folded = text.normalize(value or "")
    if _ACCENTED.search(folded):
        folded = text.strip_diacritics(folded)
    return _NOT_WORD.sub("", folded)[:size]


def chinese_number(value: str) -> int | None:
    """Read 3, 三, 十二, 二十三, 一百零五 as an integer; None when it is not a number."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    total, current = 0, 0
    for ch in value:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def volume_of(title: str, parts: Iterable[str] = ()) -> str:
    """Return the volume a record describes ("3", "上"), from its part subfields (245$n, 200$h) or its title."""
    for candidate in (*parts, title):
        normalized = text.normalize(candidate)
        if not normalized:
            continue
        # Chinese markers are read with spaces and punctuation gone (第 2 卷, 第二·卷), Latin ones as written.
        bare = _NOT_WORD.sub("", normalized)
        for pattern, where in ((_VOLUME_CN, bare), (_VOLUME_CN_AFTER, bare), (_VOLUME_LATIN, normalized)):
            found = pattern.search(where)
            if found:
                number = chinese_number(found.group(1))
                if number is not None:
                    return str(number)
        found = _VOLUME_PART.search(bare)
        if found:
            return found.group(1)
        if candidate is not title and (digits := _DIGITS.match(normalized)):
            return str(int(digits.group(1)))
    return ""


def edition_of(statements: Iterable[str]) -> str:
    """Return the edition a record describes ("2", "rev"); "" for the first edition or none stated."""
    for statement in statements:
        folded = text.normalize(statement)
        if not folded or (_PRINTING.search(folded) and "版" not in folded and "ed" not in folded):
            continue
        if any(word in folded for word in _FIRST_EDITION):
            return ""
        for pattern in (_EDITION_CN, _EDITION_LATIN):
            found = pattern.search(folded)
            if found:
                number = chinese_number(found.group(1))
                if number is not None:
                    return "" if number <= 1 else str(number)
        for word, key in _EDITION_WORDS:
            if word in folded:
                return key
        return fold(folded, 32)
    return ""


Tags = dict[str, list[Any]]


def tags_of(marc: Any) -> Tags:
    """Group a MARC-in-JSON record's field contents by tag, in one pass."""
    by_tag: Tags = {}
    fields = marc.get("fields") if type(marc) is dict else None
    for entry in fields or ():
        if type(entry) is dict:
            for tag, content in entry.items():
                by_tag.setdefault(tag, []).append(content)
    return by_tag


def _subfields(tags: Tags, tag: str, codes: str) -> list[str]:
    """Values of the given subfield codes in every `tag` field."""
    found: list[str] = []
    for content in tags.get(tag, ()):
        if type(content) is dict:
            for sub in content.get("subfields", ()):
                if type(sub) is dict:
                    for code, value in sub.items():
                        if code in codes and type(value) is str and value.strip():
                            found.append(value)
    return found


def _linked(tags: Tags, tag: str, codes: str) -> list[str]:
    """Values of the subfields of the 880 fields linked to `tag` by their $6 (MARC 21 original script)."""
    found: list[str] = []
    for content in tags.get("880", ()):
        subfields = content.get("subfields", ()) if type(content) is dict else ()
        if any(type(sub) is dict and str(sub.get("6", "")).startswith(tag) for sub in subfields):
            found += _subfields({"880": [content]}, "880", codes)
    return found


def _data_fields(tags: Tags) -> int:
    return sum(len(contents) for tag, contents in tags.items() if not tag.startswith("00"))


def fullness(values: Described, tags: Tags | None = None) -> int:
    """Score how complete a record is (FULLNESS_WEIGHTS); the preferred record of a cluster scores highest."""
    tags = tags_of(values.marc) if tags is None else tags
    summary = _subfields(tags, "330" if values.marc_format == "cnmarc" else "520", "a")
    filled = {
        "isbn": bool(values.isbns),
        "clc_class": bool(values.clc_class),
        "responsibility": bool(values.responsibility),
        "authors": bool(values.authors),
        "publisher": bool(values.publisher),
        "year": values.year is not None,
        "place": bool(values.place),
        "language": bool(values.language),
        "other_titles": bool(values.other_titles),
        "summary": bool(summary),
    }
    score = sum(FULLNESS_WEIGHTS[name] for name, present in filled.items() if present)
    score += min(len(values.subjects), SUBJECT_POINTS_MAX)
    score += min(max(_data_fields(tags) - 5, 0) // 5, FIELD_POINTS_MAX)
    return score


def match_keys(values: Described, tags: Tags | None = None) -> MatchKeys:
    """Return the match keys, display fields and fullness of one record (catalogue Record or RecordFields)."""
    tags = tags_of(values.marc) if tags is None else tags
    cnmarc = values.marc_format == "cnmarc"
    parts = _subfields(tags, "200", "h") if cnmarc else _subfields(tags, "245", "n")
    editions = _subfields(tags, "205", "a") if cnmarc else _subfields(tags, "250", "a")
    if not cnmarc:
        editions = _linked(tags, "250", "a") + editions  # the original script's 250 sits in a linked 880
    isbns = [isbn for isbn in values.isbns if isbn]
    return MatchKeys(
        title=values.title,
        responsibility=values.responsibility,
        publisher=values.publisher[:255],
        year=values.year,
        marc_format=values.marc_format,
        isbn=isbns[0] if isbns else "",
        isbns=isbns,
        title_key=values.title_key or fold(values.title),
        author_key=fold(values.authors[0], 128) if values.authors else "",
        responsibility_key=fold(values.responsibility),
        publisher_key=fold(values.publisher, 128),
        volume=volume_of(values.title, parts),
        edition=edition_of(editions),
        fullness=fullness(values, tags),
    )
