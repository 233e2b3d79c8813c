"""Draw a plausible Chinese book (title, people, imprint, ISBN, class, subjects) from a random stream."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache

import opencc
from pypinyin import lazy_pinyin

from shelfmark.catalog.generating import words

_S2T = opencc.OpenCC("s2t")
_PROPER = set(words.PLACES) | {place for place, _ in words.LOCAL_PLACES}
_CLASSES = list(words.CLC.items())
_SEQUENCE_CHARACTERS = "一二三四五六七八九十"
# Publishers with a 2-digit ISBN prefix have a million numbers each: room for any benchmark size.
_LARGE_PUBLISHERS = [p for p in words.PUBLISHERS if len(p[2]) == 2]
_LANGUAGES = {
    "美": "eng",
    "英": "eng",
    "俄": "rus",
    "法": "fre",
    "德": "ger",
    "奥": "ger",
    "日": "jpn",
    "哥伦比亚": "spa",
    "以色列": "heb",
}


@dataclass(frozen=True)
class Person:
    """A name as it appears in the book and in pinyin (or its original Latin form for foreign authors)."""

    name: str
    romanized: str
    role: str
    country: str = ""

    @property
    def statement(self) -> str:
        return f"（{self.country}）{self.name}{self.role}" if self.country else f"{self.name}{self.role}"


@dataclass
class Book:
    """One book's bibliographic facts, independent of the MARC format it is catalogued in."""

    title: str
    title_pinyin: str
    other_title: str
    other_title_pinyin: str
    people: list[Person]
    publisher: str
    publisher_pinyin: str
    place: str
    place_pinyin: str
    year: int
    isbn: str  # hyphenated ISBN-13 or ISBN-10, or "" before 1987 (then `unified_number` is set)
    unified_number: str
    price: str
    pages: int
    height_cm: int
    clc: str
    clc_top: str
    subject: str
    subject_place: str
    subject_period: str
    local_place: str
    is_fiction: bool
    is_traditional: bool
    edition: str
    summary: str = ""
    translated_from: str = ""
    is_legal_deposit: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def responsibility(self) -> str:
        return " ; ".join(person.statement for person in self.people)

    @property
    def responsibility_pinyin(self) -> str:
        return " ; ".join(
            (f"({pinyin(p.country)}) " if p.country else "") + f"{p.romanized.replace(',', '')} {pinyin(p.role)}"
            for p in self.people
        )


@lru_cache(maxsize=16384)
def pinyin(text: str) -> str:
    """Romanise like LC: place names joined and capitalised, other syllables spaced."""
    if text in _PROPER:
        return "".join(lazy_pinyin(text)).capitalize()
    return " ".join(lazy_pinyin(text))


@lru_cache(maxsize=65536)
def traditional(text: str) -> str:
    """Convert simplified characters to traditional (OpenCC s2t)."""
    return _S2T.convert(text)


def romanize_pieces(pieces: list[str]) -> str:
    text = " ".join(pinyin(piece) for piece in pieces if piece.strip())
    return text[:1].upper() + text[1:]


def isbn13_check(digits12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return str((10 - total % 10) % 10)


def isbn10_check(digits9: str) -> str:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


class BookMaker:
    """Draw books; per-publisher counters keep ISBNs unique until a publisher's number range runs out."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counters: dict[str, int] = {}

    def person(self, role: str) -> Person:
        rng = self.rng
        surname = rng.choice(words.SURNAMES)
        given = "".join(rng.choice(words.GIVEN_CHARACTERS) for _ in range(rng.choice((1, 2, 2, 2))))
        romanized = f"{pinyin(surname).replace(' ', '').capitalize()}, {pinyin(given).replace(' ', '').capitalize()}"
        return Person(surname + given, romanized, role)

    def people(self, fiction: bool) -> tuple[list[Person], str]:
        rng = self.rng
        if rng.random() < (0.25 if fiction else 0.06):
            country, name, original = rng.choice(words.FOREIGN_AUTHORS)
            author = Person(name, original, "著", country)
            return [author, self.person("译")], _LANGUAGES.get(country, "und")
        people = [self.person(rng.choice(words.ROLES_CN))]
        if rng.random() < 0.2:
            people.append(self.person(people[0].role))
        return people, ""

    def with_room(self, publisher: tuple[str, str, str]) -> tuple[str, str, str]:
        """Keep the publisher unless its ISBN range is used up; then a big national one publishes the book."""
        if self.counters.get(publisher[2], 0) < 10 ** (8 - len(publisher[2])):
            return publisher
        return self.rng.choice(_LARGE_PUBLISHERS)

    def isbn(self, publisher_prefix: str, year: int) -> tuple[str, str]:
        """Return (hyphenated ISBN, unified book number); books before 1987 carry the latter only."""
        count = self.counters.get(publisher_prefix, 0)
        self.counters[publisher_prefix] = count + 1
        if year < 1987:
            return "", f"{10000 + len(publisher_prefix) * 7:05d}·{count % 10000:04d}"
        width = 8 - len(publisher_prefix)
        # Scramble the counter so that consecutive books do not get consecutive numbers.
        number = f"{(count * 7919 + 13) % 10**width:0{width}d}"
        core9 = f"7{publisher_prefix}{number}"
        if year < 2007 and self.rng.random() < 0.9:
            return f"7-{publisher_prefix}-{number}-{isbn10_check(core9)}", ""
        return f"978-7-{publisher_prefix}-{number}-{isbn13_check('978' + core9)}", ""

    def year(self) -> int:
        # More books in recent decades, as in any public library catalogue.
        return min(2026, 1950 + int(76 * self.rng.random() ** 0.45) + (1 if self.rng.random() < 0.3 else 0))

    def title(self, top: str, topics: list[str]) -> tuple[list[str], bool]:
        rng = self.rng
        if not topics:  # fiction, poetry, essays
            pattern = rng.choice(words.LITERARY_PATTERNS)
            pieces = [
                rng.choice(words.LITERARY_NOUNS)
                if p == "{n}"
                else rng.choice(words.LITERARY_ADJECTIVES)
                if p == "{a}"
                else rng.choice(words.PLACES)
                if p == "{p}"
                else p
                for p in pattern
            ]
            return pieces, True
        pattern = rng.choice(words.NONFICTION_PATTERNS)
        pieces = [rng.choice(topics) if p == "{t}" else rng.choice(words.PLACES) if p == "{p}" else p for p in pattern]
        return pieces, top == "I"

    def make(self) -> Book:
        rng = self.rng
        local_place = ""
        if rng.random() < 0.05:
            local_place, clc = rng.choice(words.LOCAL_PLACES)
            topic, subject = rng.choice(words.LOCAL_TOPICS)
            top, pieces, fiction = "K", [local_place, topic], False
            publisher, place, prefix = self.with_room(rng.choice(words.LIAONING_PUBLISHERS))
        else:
            top, (_caption, entries) = rng.choice(_CLASSES)
            clc, subject, topics = rng.choice(entries)
            pieces, fiction = self.title(top, topics)
            publisher, place, prefix = self.with_room(rng.choice(words.PUBLISHERS))
        if rng.random() < 0.08:
            pieces = [*pieces, f"第{rng.choice(_SEQUENCE_CHARACTERS)}卷"]
        year = self.year()
        isbn, unified = self.isbn(prefix, year)
        people, translated_from = self.people(fiction)
        subtitle: list[str] = []
        if not fiction and rng.random() < 0.15:
            subtitle = [rng.choice(words.PLACES) if p == "{p}" else p for p in rng.choice(words.SUBTITLES)]
        title = "".join(pieces)
        if rng.random() < 0.03 and len(pieces) > 1:  # an ideographic space inside the title, as typed by some
            cut = rng.randrange(1, len(pieces))
            title = "".join(pieces[:cut]) + "\u3000" + "".join(pieces[cut:])
        other_title = "".join(subtitle)
        is_traditional = rng.random() < 0.04
        if is_traditional:
            title, other_title = traditional(title), traditional(other_title)
        period = rng.choice(words.PERIODS) if fiction else ""
        return Book(
            title=title,
            title_pinyin=romanize_pieces(pieces),
            other_title=other_title,
            other_title_pinyin=romanize_pieces(subtitle) if subtitle else "",
            people=people,
            publisher=publisher,
            publisher_pinyin=pinyin(publisher).capitalize(),
            place=place,
            place_pinyin="".join(lazy_pinyin(place)).capitalize(),
            year=year,
            isbn=isbn,
            unified_number=unified,
            price=f"CNY{rng.randrange(12, 168)}.{rng.choice(('00', '00', '50', '80'))}",
            pages=rng.randrange(48, 960),
            height_cm=rng.choice((19, 21, 23, 24, 26)),
            clc=clc,
            clc_top=top,
            subject=subject,
            subject_place=local_place or ("中国" if fiction and not translated_from else ""),
            subject_period=period,
            local_place=local_place,
            is_fiction=fiction,
            is_traditional=is_traditional,
            edition=f"{rng.choice('2345')}版" if rng.random() < 0.07 else "",
            summary=f"本书介绍了{''.join(pieces[:2])}的相关内容。" if rng.random() < 0.3 else "",
            translated_from=translated_from,
            # Provincial publishers deposit their books with the provincial library (呈缴本).
            is_legal_deposit=place in ("沈阳", "大连") and year >= 2000 and rng.random() < 0.5,
        )
