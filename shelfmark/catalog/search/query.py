"""Parse a reader's query into a boolean tree of (field, token) terms that every engine can run.

Language: words are ANDed; "quoted text" must occur as written; field:value restricts a word to
title/author/subject/publisher (题名/责任者/主题/出版者), isbn: and issn: match identifiers, class:
matches class numbers by prefix (class:I24 finds I247.5), year:2020 or year:2019-2021 bounds the
year. An ISBN typed bare (10 or 13 digits, hyphens or not) is searched as an ISBN.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from shelfmark.catalog.text import has_cjk, title_key

from .tokens import (
    PINYIN_FIELDS,
    TEXT_FIELDS,
    class_token,
    fold,
    isbn_token,
    issn_token,
    pinyin_forms,
    query_words,
    whole_forms,
)


@dataclass(frozen=True)
class Term:
    """Token `token` occurs in one of `fields` (as a prefix of a token when `prefix`)."""

    fields: tuple[str, ...]
    token: str
    prefix: bool = False


@dataclass(frozen=True)
class All:
    """Every part matches."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one part matches."""

    parts: tuple[Node, ...]


Node = Term | All | AnyOf

FIELD_NAMES = {
    "title": "t",
    "题名": "t",
    "author": "a",
    "责任者": "a",
    "作者": "a",
    "subject": "s",
    "主题": "s",
    "publisher": "p",
    "出版者": "p",
    "出版社": "p",
    "isbn": "isbn",
    "issn": "issn",
    "class": "class",
    "clc": "class",
    "分类号": "class",
    "year": "year",
    "出版年": "year",
}
_QUOTES = str.maketrans({"“": '"', "”": '"', "「": '"', "」": '"', "『": '"', "』": '"'})
_LEXEME = re.compile(r'(?:(?P<field>[^\s:"]+):)?(?:"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]+))')
_ISBN_LIKE = re.compile(r"^(?:97[89])?[\d\-]{9,}[\dXx]$")
_ISSN_LIKE = re.compile(r"^\d{4}-\d{3}[\dXx]$")
_CLASS_LIKE = re.compile(r"^[A-Za-z]{1,2}\d+(?:[.\-/]\d+)*$")
_YEAR_RANGE = re.compile(r"^(\d{4})?(?:(-)(\d{4})?)?$")


@dataclass(frozen=True)
class ParsedQuery:
    """A parsed query: what must match, which records rank first, and the record-level bounds."""

    raw: str
    match: Node | None = None
    # Tier 1: the match, with every free-text word found in the title.
    title_match: Node | None = None
    # Tier 0: Record.title_key equal to this.
    exact_key: str = ""
    phrases: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    words: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return self.match is None and self.year_from is None and self.year_to is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "q": self.raw,
            "words": list(self.words),
            "phrases": list(self.phrases),
            "year_from": self.year_from,
            "year_to": self.year_to,
        }


def _and(parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def text_node(text: str, fields: tuple[str, ...]) -> tuple[Node | None, list[str]]:
    """Return the tree for free text in `fields` and its words: each word, or its pinyin in titles and names."""
    folded = fold(text)
    words = list(dict.fromkeys(query_words(folded)))
    pinyin_fields = tuple(f for f in fields if f in PINYIN_FIELDS)
    parts: list[Node] = []
    for word in words:
        term = Term(fields, word)
        full = pinyin_forms(word)[0] if pinyin_fields and len(word) > 1 and has_cjk(word) else ""
        parts.append(AnyOf((term, Term(pinyin_fields, full))) if full else term)
    node = _and(parts)
    if node is not None and pinyin_fields and len(words) > 1:
        # "liao ning", "辽宁 省志": the whole text read as one pinyin word, as whole titles are indexed.
        whole = whole_forms(folded)[0]
        if whole:
            node = AnyOf((node, Term(pinyin_fields, whole)))
    return node, words


def _year_bounds(value: str) -> tuple[int | None, int | None] | None:
    match = _YEAR_RANGE.match(value.strip())
    if not match or not (match.group(1) or match.group(3)):
        return None
    start = int(match.group(1)) if match.group(1) else None
    end = int(match.group(3)) if match.group(3) else (None if match.group(2) else start)
    if start is not None and end is not None and start > end:
        start, end = end, start
    return start, end


class _Builder:
    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.parts: list[Node] = []
        self.free: list[str] = []  # free-text words and unfielded phrases: they decide tiers 0 and 1
        self.titles: list[str] = []  # title: values, also part of the exact title
        self.in_title: list[str] = []  # ISSN-like values, part of the exact title but searched apart
        self.phrases: list[str] = []
        self.unfielded_phrases: list[str] = []
        self.words: list[str] = []
        self.year_from: int | None = None
        self.year_to: int | None = None

    def text(self, value: str, fields: tuple[str, ...]) -> None:
        node, words = text_node(value, fields)
        if node is not None:
            self.parts.append(node)
            self.words.extend(words)

    def phrase(self, value: str, fields: tuple[str, ...]) -> None:
        self.text(value, fields)
        folded = fold(value)
        if folded and query_words(folded):
            self.phrases.append(folded)

    def bare(self, value: str) -> None:
        digits = sum(ch.isdigit() for ch in value)
        if _ISBN_LIKE.match(value) and digits >= 9:
            self.parts.append(Term(("i",), isbn_token(value)))
            self.words.append(isbn_token(value))
        elif _ISSN_LIKE.match(value):
            # "1949-1999" is a valid ISSN and also the years in a title (建材工业五十年, 1949-1999): search both,
            # and keep it in the exact title.
            node, _words = text_node(value, TEXT_FIELDS)
            code = Term(("i",), issn_token(value))
            self.parts.append(AnyOf((code, node)) if node is not None else code)
            self.words.append(issn_token(value))
            self.in_title.append(value)
        elif _CLASS_LIKE.match(value):
            node, _words = text_node(value, TEXT_FIELDS)
            code = Term(("c",), class_token(value))
            self.parts.append(AnyOf((code, node)) if node is not None else code)
            self.words.append(class_token(value))
        else:
            self.free.append(value)

    def fielded(self, name: str, value: str, quoted: bool) -> None:
        if name == "isbn":
            self.parts.append(Term(("i",), isbn_token(value) or value.lower()))
        elif name == "issn":
            self.parts.append(Term(("i",), issn_token(value) or class_token(value)))
        elif name == "class":
            code = class_token(value)
            if code:
                self.parts.append(Term(("c",), code, prefix=True))
        elif name == "year":
            bounds = _year_bounds(value)
            if bounds is None:
                self.free.append(value)
            else:
                self.year_from, self.year_to = bounds
        else:
            if name == "t":
                self.titles.append(value)
            (self.phrase if quoted else self.text)(value, (name,))

    def build(self) -> ParsedQuery:
        free_text = " ".join(self.free)
        free_node, free_words = text_node(free_text, TEXT_FIELDS)
        title_node, _ = text_node(" ".join([free_text, *self.unfielded_phrases]), ("t",))
        if free_node is not None:
            self.parts.insert(0, free_node)
            self.words[:0] = free_words
        match = _and(self.parts)
        title_match = All((match, title_node)) if match is not None and title_node is not None else None
        key = title_key(" ".join([free_text, *self.in_title, *self.unfielded_phrases, *self.titles]))
        return ParsedQuery(
            raw=self.raw,
            match=match,
            title_match=title_match,
            exact_key=key,
            phrases=tuple(dict.fromkeys(self.phrases)),
            year_from=self.year_from,
            year_to=self.year_to,
            words=tuple(dict.fromkeys(self.words)),
        )


@lru_cache(maxsize=4096)
def parse(q: str) -> ParsedQuery:
    """Parse a query string (see the module docstring for the language); a repeated query (the next page,
    a facet click) reuses its parse, which is immutable."""
    raw = (q or "").strip()
    text = unicodedata.normalize("NFKC", raw).translate(_QUOTES)
    builder = _Builder(raw)
    for lexeme in _LEXEME.finditer(text):
        field_name, quoted, bare = lexeme.group("field"), lexeme.group("quoted"), lexeme.group("bare")
        name = FIELD_NAMES.get(field_name.lower()) if field_name else None
        if field_name and name is None:
            # "C++:" or a URL is text, not a field.
            bare = f"{field_name}:{quoted if quoted is not None else bare}"
            quoted = None
        if quoted is not None and name is None:
            builder.phrase(quoted, TEXT_FIELDS)
            builder.unfielded_phrases.append(quoted)
        elif name is not None:
            builder.fielded(name, quoted if quoted is not None else bare, quoted is not None)
        elif bare:
            builder.bare(bare)
    return builder.build()
