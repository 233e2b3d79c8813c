"""Turn record fields and query text into the same search tokens: jieba words, pinyin, initials, codes.

Indexing and querying share every function here, so a word a reader types is cut and folded exactly
as the catalogued text was. Tokens are lower-case runs of letters and digits (class numbers may also
hold "." and "-"), which both engines store verbatim.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import rjieba
from pypinyin import lazy_pinyin

from shelfmark.catalog import isbn as isbn_codes
from shelfmark.catalog.text import has_cjk, normalize, strip_diacritics

# Index fields: t title, a author/responsibility, s subject, p publisher, o other (place, year),
# i identifiers (ISBN-13, ISSN), c class numbers. A bare query word searches TEXT_FIELDS.
FIELDS = ("t", "a", "s", "p", "o", "i", "c")
TEXT_FIELDS = ("t", "a", "s", "p", "o")
PINYIN_FIELDS = ("t", "a")

# Whole-title pinyin longer than this is not something a reader types; skip it to keep rows small.
_MAX_WHOLE = 48
_WORD = re.compile(r"[^\W_]+")
_CLASS_CHARS = re.compile(r"[^a-z0-9.\-]")
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dxX])$")
_PUNCTUATION = re.compile(r"[^\w\s]+")

# Library terms jieba's general dictionary cuts apart; adding them keeps them whole in index and query.
LIBRARY_WORDS = (
    "地方文献",
    "呈缴本",
    "中图法",
    "图书馆学",
    "目录学",
    "文献学",
    "版本学",
    "古籍",
    "善本",
    "方志",
    "地方志",
    "省志",
    "县志",
    "年鉴",
    "丛书",
    "书目",
)
for _word in LIBRARY_WORDS:
    rjieba.add_word(_word, None, None)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold text for matching: text.normalize (NFKC, simplified, lower, joined CJK) without diacritics."""
    folded = normalize(text)
    if folded.isascii():
        return folded
    return unicodedata.normalize("NFC", strip_diacritics(folded))


def _pieces(cut: Iterable[str]) -> Iterator[str]:
    """Yield the letter-and-digit runs of jieba's output, dropping spaces and punctuation."""
    for part in cut:
        if part.isalnum():
            yield part
        else:
            yield from _WORD.findall(part)


def index_words(folded: str) -> list[str]:
    """Cut folded text for the index: search mode, so a word and its dictionary sub-words all match."""
    return list(_pieces(rjieba.cut_for_search(folded, hmm=False)))


def query_words(folded: str) -> list[str]:
    """Cut folded query text: accurate mode, whose words are a subset of the search-mode cut."""
    return list(_pieces(rjieba.cut(folded, hmm=False)))


@lru_cache(maxsize=262144)
def word_pinyin(word: str) -> tuple[str, ...]:
    """Return the toneless pinyin syllables of a word (ü as v), looked up per word for polyphones."""
    return tuple(syllable for syllable in lazy_pinyin(word) if syllable.isalnum())


def pinyin_forms(word: str) -> tuple[str, str]:
    """Return a Chinese word's full pinyin and initials, e.g. 辽宁 → ("liaoning", "ln")."""
    syllables = word_pinyin(word)
    return "".join(syllables), "".join(s[0] for s in syllables)


@lru_cache(maxsize=65536)
def whole_forms(folded: str) -> tuple[str, str]:
    """Return the full pinyin and initials of a whole text, e.g. 辽宁省志 → ("liaoningshengzhi", "lnsz")."""
    syllables: list[str] = []
    for word in query_words(folded):
        syllables.extend(word_pinyin(word) if has_cjk(word) else (word,))
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return (full if len(full) <= _MAX_WHOLE else ""), (initials if len(initials) <= _MAX_WHOLE else "")


def isbn_token(text: str) -> str:
    """Return the ISBN-13 of an ISBN given as 10 or 13 digits, hyphenated or not; bare digits if invalid."""
    return isbn_codes.to_13(text) or isbn_codes.compact(text).lower()


def issn_token(text: str) -> str:
    """Return an ISSN as eight characters without the hyphen, or "" when the text is not one."""
    match = _ISSN.match(text.strip())
    return (match.group(1) + match.group(2)).lower() if match else ""


def class_token(text: str) -> str:
    """Return a class number folded for prefix matching: lower case, letters, digits, "." and "-"."""
    return _CLASS_CHARS.sub("", unicodedata.normalize("NFKC", text).lower()).strip(".-")


def strings(value: Any) -> Iterator[str]:
    """Yield the non-empty strings of a JSON value (list of strings or of objects), in order."""
    if isinstance(value, str):
        if value.strip():
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


@dataclass(frozen=True)
class RecordTokens:
    """The index row of one record: tokens per field, the folded text that quoted phrases must occur in,
    and the narrow row (FACET_COLUMNS) that ranking, filters and facets read instead of catalog_record."""

    record_id: int
    fields: dict[str, list[str]]
    text: str
    facets: tuple[Any, ...] = ()


# The narrow per-record row beside the tokens: exact-title key and facet values.
FACET_COLUMNS = ("title_key", "resource_type", "language", "year", "clc", "library_id")


def facet_values(record: Any) -> tuple[Any, ...]:
    """Return a record's FACET_COLUMNS values; clc is the CLC main class letter, or ""."""
    clc = (record.clc_class or "")[:1].upper()
    return (
        record.title_key or "",
        record.resource_type or "",
        record.language or "",
        record.year,
        clc if "A" <= clc <= "Z" else "",
        getattr(record, "library_id", None),
    )


class _Collector:
    """Gather each field's tokens once, in first-seen order."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[str, None]] = {name: {} for name in FIELDS}
        self.texts: list[str] = []

    def add(self, field: str, token: str) -> None:
        if token:
            self.fields[field][token] = None

    def add_text(self, field: str, text: str, *, pinyin: bool = False) -> None:
        folded, tokens = text_tokens(text, pinyin)
        if not folded:
            return
        self.texts.append(folded)
        bucket = self.fields[field]
        for token in tokens:
            bucket[token] = None


@lru_cache(maxsize=32768)
def text_tokens(text: str, pinyin: bool = False) -> tuple[str, tuple[str, ...]]:
    """Return a text's folded form and its index tokens in order (cached: names, publishers, places
    and subjects repeat across a catalogue)."""
    folded = fold(text)
    if not folded:
        return "", ()
    bucket: dict[str, None] = {}
    cjk = pinyin and has_cjk(folded)
    for word in index_words(folded):
        bucket[word] = None
        if cjk and len(word) > 1 and has_cjk(word):
            full, initials = pinyin_forms(word)
            bucket[full] = None
            bucket[initials] = None
    if pinyin:
        # A reader types a whole title, or one part of it ("辽宁省志" of "辽宁省志 : 地方文献卷").
        parts = [folded, *(p for p in _PUNCTUATION.split(folded) if p.strip() and p.strip() != folded)]
        for part in parts:
            full, initials = whole_forms(part)
            if full and (cjk or " " in part.strip()):
                bucket[full] = None
            if initials and cjk:
                bucket[initials] = None
    return folded, tuple(bucket)


# The fields and phrase text of one record's index row, before it has an id (see record_tokens), and its
# search vocabulary entries (vocabulary.record_terms, as plain tuples).
Prepared = tuple[dict[str, list[str]], str, tuple[tuple[str, ...], ...]]


def prepare_tokens(record: Any) -> Prepared:
    """Build the tokens per field, the folded phrase text and the vocabulary entries of a record; they depend on
    no id or library, so the import computes them beside extraction, in its worker process."""
    row = _Collector()
    row.add_text("t", record.title, pinyin=True)
    for other in strings(record.other_titles):
        row.add_text("t", other, pinyin=True)
    if record.title_romanized:
        row.add_text("t", record.title_romanized, pinyin=True)
    for name in strings(record.authors):
        row.add_text("a", name, pinyin=True)
    if record.responsibility:
        row.add_text("a", record.responsibility)
    for subject in strings(record.subjects):
        row.add_text("s", subject)
    if record.publisher:
        row.add_text("p", record.publisher)
    if record.place:
        row.add_text("o", record.place)
    if record.year:
        row.add("o", str(record.year))
    for number in (record.isbn, *strings(record.isbns)):
        if number:
            row.add("i", isbn_token(number))
    if record.issn:
        row.add("i", issn_token(record.issn) or class_token(record.issn))
    for number in (record.clc_class, *strings(record.other_classes)):
        if number:
            row.add("c", class_token(number))
    # The vocabulary reuses the folds and whole-text pinyin just computed for the tokens (both cached).
    from .vocabulary import record_terms

    terms = tuple(tuple(term) for term in record_terms(record))
    return (
        {name: list(tokens) for name, tokens in row.fields.items()},
        " / ".join(dict.fromkeys(row.texts)),
        terms,
    )


def record_tokens(record: Any, prepared: Prepared | None = None) -> RecordTokens:
    """Build the index row of a record (a catalog.Record or anything with the same attributes);
    `prepared` is prepare_tokens of the same field values, when already computed."""
    fields, text, _terms = prepared if prepared is not None else prepare_tokens(record)
    return RecordTokens(record_id=record.pk, fields=fields, text=text, facets=facet_values(record))


def warm_up() -> None:
    """Load the dictionaries behind folding, cutting and pinyin (OpenCC, jieba, pypinyin) now, not in the first
    reader's search: under gunicorn --preload the master does it once and every worker shares the pages."""
    sample = "辽宁省图书馆藏書目錄 Shenyang 2024"
    folded = fold(sample)
    for word in [*index_words(folded), *query_words(folded)]:
        word_pinyin(word)
