"""The search vocabulary: titles, names and title words as a reader types them, for suggestions and "did you mean".

Every indexed record adds its title, its authors' names and its title words, each in the forms a reader may type:
the folded text (simplified, lower case), the full pinyin and the pinyin initials (红楼梦, hongloumeng, hlm). One row
per distinct (term, kind, target), written with the search index (`index.index_records`) and emptied by a rebuild.

- Suggestions as you type read a btree range (`term >= prefix AND term < prefix + U+10FFFF`): an indexed prefix
  lookup whatever the catalogue's size.
- "Did you mean" finds terms close to a query that found little: PostgreSQL's pg_trgm similarity (`%`, GIN index)
  on PostgreSQL, an FTS5 trigram table on SQLite (queried by the query's rarest trigrams), then both engines'
  candidates are scored alike by rapidfuzz, so both suggest the same word.

Rows are only ever added (INSERT ... DO NOTHING, cheap at import): a title that leaves the catalogue stays until the
next `shelfmark reindex`. Callers check a suggestion finds something before showing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import connection, transaction
from rapidfuzz import fuzz

from shelfmark.catalog.text import has_cjk

from .tokens import fold, index_words, pinyin_forms, strings, whole_forms

TABLE = "catalog_search_term"
TRIGRAMS = "catalog_search_term_trgm"  # SQLite: FTS5 trigram table over padded terms (rowid = term row id)
TRIGRAM_COUNTS = "catalog_search_term_trgm_rows"  # SQLite: fts5vocab of it, for each trigram's row count

TITLE, AUTHOR, WORD = "t", "a", "w"
TEXT, PINYIN, INITIALS = "x", "p", "i"
MAX_TERM = 100
MAX_LABEL = 255
# A suggestion list reads this many rows of the prefix range, then keeps one per title or name.
_PREFIX_ROWS = 60
# Candidates read from the trigram index for rescoring.
_CANDIDATES = 40
# SQLite asks FTS5 for the terms sharing any of the query's this-many rarest trigrams (8 cost three times as much
# for pinyin, whose trigrams are common, and found the same titles).
_RARE_TRIGRAMS = 5
# pg_trgm's similarity threshold: Chinese words are short and share few trigrams even one character apart
# (红楼孟/红楼梦: 0.33); Latin and pinyin text is longer, and a higher threshold lets GIN skip more (tianfangfei: 120 ms
# at 0.25, 30 ms at 0.4, at 200,000 records).
_THRESHOLD_CJK = "0.25"
_THRESHOLD_LATIN = "0.4"
# Scores (rapidfuzz ratio, 0-100) below this are not a near miss.
MIN_SCORE = 70.0
# A candidate this close to the text as typed ends the search for candidates (the pinyin form is not read).
CLOSE_ENOUGH = 85.0
_NOT_WORD = re.compile(r"[\W_]+")
_TOP = "\U0010ffff"


class Term(NamedTuple):
    """A title, name or word as the vocabulary holds it: the typed form `term`, what it stands for (`target`, folded,
    and `label`, as catalogued), its kind (title, author, word) and form (text, pinyin, initials). A plain tuple
    underneath, so the import's workers send it cheaply."""

    term: str
    kind: str
    form: str
    target: str
    label: str


@dataclass(frozen=True)
class Near:
    """A vocabulary entry close to a query, with its rapidfuzz score (100 is the same text)."""

    label: str
    kind: str
    score: float


def clean(text: str) -> str:
    """Fold text as the vocabulary keys it: simplified, lower case, punctuation to single spaces."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


def _forms(text: str, kind: str) -> list[Term]:
    """A title or name as typed: its folded text, full pinyin and (titles only) initials. The fold and the whole-text
    pinyin are the cached ones the index tokens were built with."""
    folded = fold(text)
    target = _NOT_WORD.sub(" ", folded).strip()[:MAX_LABEL]
    if not target:
        return []
    label = " ".join(text.split())[:MAX_LABEL]
    found = [Term(target[:MAX_TERM], kind, TEXT, target, label)]
    if has_cjk(target):
        full, initials = whole_forms(folded)
        if full:
            found.append(Term(full[:MAX_TERM], kind, PINYIN, target, label))
        if kind == TITLE and len(initials) > 1:
            found.append(Term(initials[:MAX_TERM], kind, INITIALS, target, label))
    return found


@lru_cache(maxsize=32768)
def _words(title: str) -> tuple[Term, ...]:
    """A title's words (two characters or more; Latin words of four letters or more) and their pinyin (cached:
    titles repeat across editions and copies catalogued twice)."""
    found = []
    for word in dict.fromkeys(index_words(fold(title))):
        if has_cjk(word):
            if len(word) < 2:
                continue
            found.append(Term(word, WORD, TEXT, word, word))
            full = pinyin_forms(word)[0]
            if full:
                found.append(Term(full, WORD, PINYIN, word, word))
        elif len(word) >= 4 and word.isalpha():
            found.append(Term(word[:MAX_TERM], WORD, TEXT, word[:MAX_LABEL], word[:MAX_LABEL]))
    return tuple(found)


def record_terms(record: Any) -> list[Term]:
    """Return the vocabulary entries of one record: its title, each author's name, its title words."""
    found = _forms(record.title or "", TITLE)
    for name in strings(record.authors):
        found.extend(_forms(name, AUTHOR))
    found.extend(_words(record.title or ""))
    return found


def add(records: Iterable[Any], *, terms: Iterable[Iterable[tuple[str, ...]]] | None = None) -> None:
    """Add the vocabulary entries of these records, or the entries already computed for them (`terms`, one
    sequence per record, as tokens.prepare_tokens gives them); existing entries stay as they are."""
    unique: dict[tuple[str, str, str], Term] = {}
    per_record = terms if terms is not None else (record_terms(record) for record in records)
    for entries in per_record:
        for entry in entries:
            term = Term(*entry)
            unique.setdefault((term.term, term.kind, term.target), term)
    if not unique:
        return
    rows = list(unique.values())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {TABLE} (term, kind, form, target, label) "
                "SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[]) "
                "ON CONFLICT DO NOTHING",
                [[getattr(row, name) for row in rows] for name in ("term", "kind", "form", "target", "label")],
            )
        else:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {TABLE} (term, kind, form, target, label) VALUES (%s, %s, %s, %s, %s)",
                [(row.term, row.kind, row.form, row.target, row.label) for row in rows],
            )


def clear() -> None:
    """Empty the vocabulary (before a rebuild of the index)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {TRIGRAMS} ({TRIGRAMS}) VALUES ('delete-all')")


# -- suggestions as you type ---------------------------------------------------------------------------------------
def prefixes(q: str) -> list[str]:
    """Return the folded prefixes to look up for what a reader typed: as typed, and without spaces when it is
    Latin (pinyin typed syllable by syllable: "hong lou" is a prefix of hongloumeng)."""
    typed = clean(q)
    if not typed:
        return []
    found = [typed]
    if " " in typed and not has_cjk(typed):
        found.append(typed.replace(" ", ""))
    return found


def starting_with(q: str, *, limit: int = 8) -> list[Term]:
    """Return up to `limit` titles and names whose text, pinyin or initials start with what the reader typed:
    titles before names, whole matches first, then the shortest; one entry per title or name."""
    keys = prefixes(q)
    if not keys:
        return []
    branch = (
        f"SELECT * FROM (SELECT term, kind, form, target, label FROM {TABLE} "
        f"WHERE term >= %s AND term < %s AND kind <> '{WORD}' ORDER BY term LIMIT {_PREFIX_ROWS}) b"
    )
    sql = " UNION ALL ".join([branch] * len(keys))
    params = [value for key in keys for value in (key, key + _TOP)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [Term(*row) for row in cursor.fetchall()]
    chosen: dict[tuple[str, str], Term] = {}
    for row in sorted(rows, key=lambda t: (t.term not in keys, t.kind != TITLE, len(t.target), t.target)):
        chosen.setdefault((row.kind, row.target), row)
    return list(chosen.values())[:limit]


# -- did you mean --------------------------------------------------------------------------------------------------
def _typed_forms(q: str) -> list[str]:
    """What to compare the vocabulary with: the folded query and, for Chinese, its pinyin (a homophone typed by a
    pinyin input method, 红楼孟, is the same pinyin as the title meant)."""
    typed = clean(q)[:MAX_TERM]
    if not typed:
        return []
    found = [typed]
    if has_cjk(typed):
        full = whole_forms(typed)[0]
        if full:
            found.append(full)
    elif " " in typed:
        found.append(typed.replace(" ", ""))
    return found


def closest(q: str, *, limit: int = 3, min_score: float = MIN_SCORE) -> list[Near]:
    """Return up to `limit` titles, names or words closest to the query, best first, each at most once; the query's
    own text is left out (it found little as it is)."""
    forms = _typed_forms(q)
    best: dict[str, Near] = {}
    for form in forms:
        for row in _candidates(form):
            if row.target == forms[0]:
                continue
            score = fuzz.ratio(form, row.term)
            if score < min_score:
                continue
            # A title or a name beats a single word at the same score.
            near = Near(label=row.label, kind=row.kind, score=score)
            key = row.target
            if key not in best or (near.score, near.kind != WORD) > (best[key].score, best[key].kind != WORD):
                best[key] = near
        if best and max(near.score for near in best.values()) >= CLOSE_ENOUGH:
            # The text as typed came very close to something: its pinyin (the slower read) would only add
            # homophones, which the search itself finds through whole-title pinyin.
            break
    ranked = sorted(best.values(), key=lambda n: (-n.score, n.kind == WORD, len(n.label), n.label))
    return ranked[:limit]


def _candidates(form: str) -> list[Term]:
    if connection.vendor == "postgresql":
        return _pg_candidates(form)
    return _sqlite_candidates(form)


def _pg_candidates(form: str) -> list[Term]:
    """Terms sharing enough trigrams with `form` (pg_trgm's % through the GIN index), most similar first."""
    with transaction.atomic(), connection.cursor() as cursor:
        threshold = _THRESHOLD_CJK if has_cjk(form) else _THRESHOLD_LATIN
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [threshold])
        cursor.execute(
            f"SELECT term, kind, form, target, label FROM {TABLE} WHERE form <> %s AND term %% %s "
            "ORDER BY similarity(term, %s) DESC, term LIMIT %s",
            [INITIALS, form, form, _CANDIDATES],
        )
        return [Term(*row) for row in cursor.fetchall()]


def padded(term: str) -> str:
    """Pad a term as pg_trgm pads a word (two marks before, one after), so short words have trigrams too."""
    return f"^^{term}$"


def trigrams(term: str) -> list[str]:
    """Return the distinct trigrams of a padded term, as FTS5's trigram tokenizer cuts it."""
    text = padded(term)
    return list(dict.fromkeys(text[i : i + 3] for i in range(len(text) - 2)))


def _sqlite_candidates(form: str) -> list[Term]:
    """Terms sharing the query's rarest trigrams (FTS5 trigram table), best by bm25 first."""
    grams = trigrams(form)
    with connection.cursor() as cursor:
        branch = f"SELECT term, doc FROM {TRIGRAM_COUNTS} WHERE term = %s"
        cursor.execute(" UNION ALL ".join([branch] * len(grams)), grams)
        known = sorted(cursor.fetchall(), key=lambda row: row[1])[:_RARE_TRIGRAMS]
        if not known:
            return []
        match = " OR ".join(_quoted(gram) for gram, _count in known)
        cursor.execute(
            f"SELECT v.term, v.kind, v.form, v.target, v.label FROM "
            f"(SELECT rowid FROM {TRIGRAMS} WHERE {TRIGRAMS} MATCH %s ORDER BY rank LIMIT %s) m "
            f"JOIN {TABLE} v ON v.id = m.rowid",
            [match, _CANDIDATES * 2],
        )
        return [Term(*row) for row in cursor.fetchall()]


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
