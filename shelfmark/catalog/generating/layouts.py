"""Catalogue one generated book as CNMARC or as MARC21 (pinyin 245/100/264 with linked 880 original script)."""

from __future__ import annotations

from shelfmark.catalog.generating.books import Book, pinyin
from shelfmark.catalog.generating.iso2709 import DataField, Field, encode

# Leader/09 is undefined in UNIMARC; "a" tells pymarc and yaz that the bytes are UTF-8, as 100$a/26 says too.
CNMARC_LEADER = "{length}nam0a22{base}   450 "
MARC21_LEADER = "{length}nam a22{base} i 4500"
# The local field 998 $a carries the provincial library's own flags: 地方文献 (local document), 呈缴本 (deposit).
LOCAL_FLAGS_TAG = "998"
_PROVINCE_CODES = {"北京": "110000", "上海": "310000", "沈阳": "210000", "大连": "210000", "南京": "320000"}


def _local_flags(book: Book) -> list[Field]:
    flags = [("a", "地方文献")] if book.local_place else []
    if book.is_legal_deposit:
        flags.append(("a", "呈缴本"))
    return [(LOCAL_FLAGS_TAG, "  ", flags)] if flags else []


def _catalogued(book: Book, month_day: str) -> str:
    """Date the record was made: the publication year, or a 1990s retro-conversion for older books."""
    return f"{max(book.year, 1995)}{month_day}"


def cnmarc(book: Book, *, control_number: str, month_day: str) -> bytes:
    """Encode the book as a CNMARC (UNIMARC-based) record as Chinese libraries exchange them."""
    entered = _catalogued(book, month_day)
    fields: list[Field] = [
        ("001", control_number),
        ("005", f"{entered}103000.0"),
    ]
    if book.isbn:
        isbn = book.isbn if int(control_number[-1:] or 0) % 3 else book.isbn.replace("-", "")
        fields.append(("010", "  ", (("a", isbn), ("d", book.price))))
    else:
        fields.append(("091", "  ", (("a", book.unified_number), ("d", book.price))))
    general = f"{entered}d{book.year}    em y0chiy50      ea"
    fields.append(("100", "  ", (("a", general),)))
    if book.translated_from:
        fields.append(("101", "1 ", (("a", "chi"), ("c", book.translated_from))))
    else:
        fields.append(("101", "0 ", (("a", "chi"),)))
    fields.append(("102", "  ", (("a", "CN"), ("b", _PROVINCE_CODES.get(book.place, "110000")))))
    fields.append(("105", "  ", (("a", "a   z   000yy"),)))
    fields.append(("106", "  ", (("a", "r"),)))
    title: list[tuple[str, str]] = [("a", book.title), ("A", book.title_pinyin.lower())]
    if book.other_title:
        title.append(("e", book.other_title))
    title.append(("f", book.people[0].statement))
    if len(book.people) > 1:
        title.append(("g", " ; ".join(p.statement for p in book.people[1:])))
    fields.append(("200", "1 ", title))
    if book.edition:
        fields.append(("205", "  ", (("a", book.edition),)))
    fields.append(("210", "  ", (("a", book.place), ("c", book.publisher), ("d", str(book.year)))))
    fields.append(("215", "  ", (("a", f"{book.pages}页"), ("d", f"{book.height_cm}cm"))))
    if book.summary:
        fields.append(("330", "  ", (("a", book.summary),)))
    subject: list[tuple[str, str]] = [("a", book.subject)]
    if book.subject_place:
        subject.append(("y", book.subject_place))
    if book.subject_period:
        subject.append(("z", book.subject_period))
    fields.append(("606", "0 ", subject))
    if book.local_place:
        fields.append(("607", "  ", (("a", book.local_place), ("x", "地方史"))))
    fields.append(("690", "  ", (("a", book.clc), ("v", "5"))))
    for index, person in enumerate(book.people):
        tag = "701" if index == 0 or person.role == book.people[0].role else "702"
        romanized = person.romanized if person.country else pinyin(person.name)
        fields.append((tag, " 0", (("a", person.name), ("A", romanized.lower()), ("4", person.role))))
    fields.append(("801", " 0", (("a", "CN"), ("b", "LN"), ("c", entered))))
    return encode(CNMARC_LEADER, [*fields, *_local_flags(book)])


def _linked(
    tag: str, occurrence: int, indicators: str, latin: list[tuple[str, str]], original: list[tuple[str, str]]
) -> tuple[DataField, DataField]:
    """Pair a romanised field with its 880 original-script field through $6 (script $1 is CJK)."""
    link = f"{occurrence:02d}"
    return (
        (tag, indicators, (("6", f"880-{link}"), *latin)),
        ("880", indicators, (("6", f"{tag}-{link}/$1"), *original)),
    )


def marc21(book: Book, *, control_number: str, month_day: str) -> bytes:
    """Encode the book as an LC-style MARC21 record of a Chinese book: pinyin fields plus linked 880s."""
    entered = _catalogued(book, month_day)
    fields: list[Field] = [
        ("001", control_number),
        ("003", "LN"),
        ("005", f"{entered}103000.0"),
    ]
    form = "1" if book.is_fiction else "0"
    fixed = f"{entered[2:8]}s{book.year}    cc a          000 {form} chi d"
    fields.append(("008", fixed))
    if book.isbn:
        fields.append(("020", "  ", (("a", book.isbn.replace("-", "")), ("q", "(平装)"), ("c", book.price))))
    fields.append(("040", "  ", (("a", "LN"), ("b", "chi"), ("e", "rda"), ("c", "LN"))))
    if book.translated_from:
        fields.append(("041", "1 ", (("a", "chi"), ("h", book.translated_from))))
    fields.append(("084", "  ", (("a", book.clc), ("2", "clc"))))
    vernacular: list[DataField] = []
    occurrence = 0
    first = book.people[0]
    if first.country:
        fields.append(("100", "1 ", (("a", f"{first.romanized},"), ("e", "author."))))
    else:
        occurrence += 1
        field, original = _linked(
            "100", occurrence, "1 ", [("a", f"{first.romanized},"), ("e", "author.")], [("a", first.name)]
        )
        fields.append(field)
        vernacular.append(original)
    occurrence += 1
    title_latin = [("a", book.title_pinyin + (" :" if book.other_title else " /"))]
    title_original = [("a", book.title + (" :" if book.other_title else " /"))]
    if book.other_title:
        title_latin.append(("b", book.other_title_pinyin + " /"))
        title_original.append(("b", book.other_title + " /"))
    title_latin.append(("c", book.responsibility_pinyin + "."))
    title_original.append(("c", book.responsibility + "."))
    field, original = _linked("245", occurrence, "10", title_latin, title_original)
    fields.append(field)
    vernacular.append(original)
    if book.edition:
        fields.append(("250", "  ", (("a", book.edition),)))
    occurrence += 1
    imprint_tag = "264" if book.year >= 2012 else "260"
    field, original = _linked(
        imprint_tag,
        occurrence,
        " 1" if imprint_tag == "264" else "  ",
        [("a", f"{book.place_pinyin} :"), ("b", f"{book.publisher_pinyin},"), ("c", f"{book.year}.")],
        [("a", f"{book.place} :"), ("b", f"{book.publisher},"), ("c", f"{book.year}.")],
    )
    fields.append(field)
    vernacular.append(original)
    fields.append(("300", "  ", (("a", f"{book.pages} pages ;"), ("c", f"{book.height_cm} cm"))))
    fields.append(("336", "  ", (("a", "text"), ("b", "txt"), ("2", "rdacontent"))))
    if book.summary:
        fields.append(("520", "  ", (("a", book.summary),)))
    subject: list[tuple[str, str]] = [("a", book.subject)]
    if book.subject_place:
        subject.append(("z", book.subject_place))
    if book.subject_period:
        subject.append(("y", book.subject_period))
    subject.append(("2", "cct"))
    fields.append(("650", " 7", subject))
    if book.local_place:
        fields.append(("651", " 7", (("a", book.local_place), ("x", "地方史"), ("2", "cct"))))
    for person in book.people[1:]:
        occurrence += 1
        field, original = _linked(
            "700",
            occurrence,
            "1 ",
            [("a", f"{person.romanized},"), ("e", "translator." if person.role == "译" else "author.")],
            [("a", person.name)],
        )
        fields.append(field)
        vernacular.append(original)
    return encode(MARC21_LEADER, [*fields, *vernacular, *_local_flags(book)])
