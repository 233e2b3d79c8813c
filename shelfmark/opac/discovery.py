"""What the public discovery pages read: search results with availability, near misses, suggestions as you type,
a title's full description, similar titles, its schema.org description and QR code, and one item by its QR code.

Nothing here reads a reader: public pages show where copies are and when they are due, never who has them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.catalog.search import selectors as search
from shelfmark.catalog.search import vocabulary
from shelfmark.catalog.search.tokens import strings
from shelfmark.circulation.models import Loan
from shelfmark.holdings import selectors as holdings
from shelfmark.holdings.errors import ItemNotFound
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Kind, Library

# A search that finds fewer hits than this offers the closest titles, names or words instead.
NEAR_MISS_BELOW = 3
NEAR_MISSES = 2
SIMILAR = 6
QR_ERROR_LEVEL = "m"
# MARC language codes as BCP 47 tags for schema.org's inLanguage (others pass through as they are).
BCP47 = {"chi": "zh", "zho": "zh", "eng": "en", "jpn": "ja", "kor": "ko", "rus": "ru", "fre": "fr", "fra": "fr",
         "ger": "de", "deu": "de", "spa": "es", "ita": "it", "ara": "ar", "lat": "la", "mon": "mn", "tib": "bo",
         "bod": "bo", "uig": "ug", "heb": "he"}  # fmt: skip
LANGUAGE_NAMES: dict[str, Any] = {
    "chi": _("中文"), "zho": _("中文"), "eng": _("英语"), "jpn": _("日语"), "kor": _("朝鲜语"), "rus": _("俄语"),
    "fre": _("法语"), "ger": _("德语"), "spa": _("西班牙语"), "ita": _("意大利语"), "ara": _("阿拉伯语"),
    "lat": _("拉丁语"), "mon": _("蒙古语"), "tib": _("藏语"), "uig": _("维吾尔语"), "mul": _("多语种"),
}  # fmt: skip


# -- search results -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hit:
    """One search hit as the results list shows it: the record and its copies per library (shelf ones first)."""

    record: Record
    places: list[holdings.LibraryAvailability]

    @property
    def available(self) -> int:
        return sum(place.available for place in self.places)

    @property
    def copies(self) -> int:
        return sum(place.total for place in self.places)


def with_availability(records: list[Record]) -> list[Hit]:
    """Pair each hit with where its copies are (two statements for the whole page)."""
    places = holdings.availability_for_records([record.pk for record in records])
    return [
        Hit(record, sorted(places.get(record.pk, []), key=lambda place: (place.available == 0, place.library.path)))
        for record in records
    ]


@dataclass(frozen=True)
class NearMiss:
    """A title, name or word close to what the reader typed, and how many records it finds."""

    text: str
    kind: str
    total: int
    total_exact: bool


def near_misses(q: str, *, limit: int = NEAR_MISSES) -> list[NearMiss]:
    """Return up to `limit` spellings close to `q` that find something, best first ("did you mean")."""
    found: list[NearMiss] = []
    for near in vocabulary.closest(q, limit=limit + 1):
        result = search.search(near.label, per_page=1, facets=False)
        if result.total:
            found.append(NearMiss(near.label, near.kind, result.total, result.total_exact))
        if len(found) == limit:
            break
    return found


def suggestions(q: str, *, limit: int = 8) -> list[vocabulary.Term]:
    """Return titles and names starting with what the reader has typed (text, pinyin or initials)."""
    return vocabulary.starting_with(q, limit=limit)


# -- the record page ------------------------------------------------------------------------------------------------
# Descriptive fields kept only in the MARC record: (tag, subfields) per format, in display order.
_MARC_FIELDS: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "marc21": {
        "edition": (("250", "ab"),),
        "physical": (("300", "abce"),),
        "series": (("490", "av"), ("830", "av")),
        "notes": (("500", "a"), ("504", "a"), ("520", "a")),
    },
    "cnmarc": {
        "edition": (("205", "ab"),),
        "physical": (("215", "acde"),),
        "series": (("225", "aehiv"), ("410", "a")),
        "notes": (("300", "a"), ("320", "a"), ("330", "a")),
    },
}


@dataclass(frozen=True)
class Description:
    """A title's description as the record page lists it (beyond the Record's own columns)."""

    other_titles: list[str]
    authors: list[str]
    subjects: list[str]
    other_classes: list[str]
    isbns: list[str]
    language: Any
    edition: list[str] = field(default_factory=list)
    physical: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def describe(record: Record) -> Description:
    """Gather every descriptive field of a title: the Record's lists and what only its MARC holds."""
    marc = _marc_texts(record.marc if isinstance(record.marc, dict) else {}, record.marc_format)
    isbns = list(dict.fromkeys(number for number in [record.isbn, *strings(record.isbns)] if number))
    return Description(
        other_titles=[title for title in strings(record.other_titles) if title != record.title],
        authors=list(dict.fromkeys(strings(record.authors))),
        subjects=list(dict.fromkeys(strings(record.subjects))),
        other_classes=list(strings(record.other_classes)),
        isbns=isbns,
        language=LANGUAGE_NAMES.get(record.language, record.language),
        edition=marc.get("edition", []),
        physical=marc.get("physical", []),
        series=marc.get("series", []),
        notes=marc.get("notes", []),
    )


def _marc_texts(marc: dict[str, Any], marc_format: str) -> dict[str, list[str]]:
    """Read the display texts of _MARC_FIELDS from MARC-in-JSON, a linked 880 (original script) before its field."""
    wanted = _MARC_FIELDS.get(marc_format, _MARC_FIELDS["marc21"])
    by_tag: dict[str, list[dict[str, Any]]] = {}
    for entry in marc.get("fields", []):
        for tag, value in entry.items():
            if isinstance(value, dict):
                by_tag.setdefault(tag, []).append(value)
    for linked in by_tag.get("880", []):
        link = next((text for code, text in _subfields(linked) if code == "6"), "")
        if link[:3]:
            by_tag.setdefault(f"880:{link[:3]}", []).append(linked)
    texts: dict[str, list[str]] = {}
    for name, sources in wanted.items():
        found: list[str] = []
        for tag, codes in sources:
            for value in [*by_tag.get(f"880:{tag}", []), *by_tag.get(tag, [])]:
                text = " ".join(text.strip() for code, text in _subfields(value) if code in codes and text.strip())
                text = text.strip(" /:;,.").strip()
                if text and text not in found:
                    found.append(text)
        texts[name] = found
    return texts


def _subfields(value: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for sub in value.get("subfields", []):
        if isinstance(sub, dict):
            for code, text in sub.items():
                yield str(code), str(text)


def similar(record: Record, *, limit: int = SIMILAR) -> list[Record]:
    """Return up to `limit` other titles of the same CLC class, then of its class without subdivisions (indexed
    reads of a few rows each), or when the title has no class, titles sharing its first subject."""
    wanted = ("id", "title", "responsibility", "year", "clc_class")
    others = Record.objects.exclude(pk=record.pk).only(*wanted).order_by()
    code = (record.clc_class or "").strip()
    found: list[Record] = []
    if code:
        found = list(others.filter(clc_class=code)[:limit])
        broader = code.split(".")[0].split("/")[0]
        if len(found) < limit and broader != code:
            # A range on the clc_class index, not LIKE: PostgreSQL uses the index for LIKE only in the C collation.
            seen = {item.pk for item in found}
            nearby = others.filter(clc_class__gte=broader, clc_class__lt=broader + "\U0010ffff").exclude(
                clc_class=code
            )[: limit * 2]
            found += [item for item in nearby if item.clc_class.startswith(broader) and item.pk not in seen]
        return found[:limit]
    subject = next(strings(record.subjects), "")
    if not subject:
        return []
    quoted = subject.replace('"', " ")
    hits = search.search(f'subject:"{quoted}"', per_page=limit + 1, facets=False).hits
    return [hit for hit in hits if hit.pk != record.pk][:limit]


def public_url(path: str) -> str:
    """Return the address of a page as the network publishes it (what QR codes and shared links carry)."""
    return f"{settings.SHELFMARK_BASE_URL}{path}"


def record_url(record: Record) -> str:
    return public_url(reverse("opac:record", args=[record.pk]))


def qr_svg(text: str, *, scale: int = 3) -> str:
    """Return a QR code of `text` as inline SVG markup (segno; no request leaves the page)."""
    symbol = segno.make(text, error=QR_ERROR_LEVEL, micro=False)
    return str(symbol.svg_inline(scale=scale, border=2, svgclass="qr", lineclass=None, omitsize=False))


def book_json_ld(record: Record, description: Description) -> dict[str, Any]:
    """Describe a title as a schema.org Book (JSON-LD), for search engines and anyone reusing the catalogue."""
    data: dict[str, Any] = {"@context": "https://schema.org", "@type": "Book", "name": record.title}
    data["url"] = record_url(record)
    if description.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in description.authors]
    elif record.responsibility:
        data["author"] = [{"@type": "Person", "name": record.responsibility}]
    if description.isbns:
        data["isbn"] = description.isbns[0] if len(description.isbns) == 1 else description.isbns
    if record.publisher:
        publisher: dict[str, Any] = {"@type": "Organization", "name": record.publisher}
        if record.place:
            publisher["location"] = record.place
        data["publisher"] = publisher
    if record.year:
        data["datePublished"] = str(record.year)
    if record.language:
        data["inLanguage"] = BCP47.get(record.language, record.language)
    if description.edition:
        data["bookEdition"] = description.edition[0]
    if description.subjects:
        data["about"] = description.subjects
    if record.title_romanized and record.title_romanized != record.title:
        data["alternateName"] = record.title_romanized
    return data


# -- the item page --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ItemView:
    """One copy as anyone may see it: its title, where it belongs and where it is, whether it is on the shelf."""

    item: Item
    due_on: date | None

    @property
    def available(self) -> bool:
        return self.item.status == ItemStatus.AVAILABLE

    @property
    def away(self) -> bool:
        """Whether the copy is at another library than its own (returned elsewhere, or lent there)."""
        return self.item.current_library_id != self.item.home_library_id


def item_by_code(code: str) -> ItemView:
    """Return the copy whose QR code this is (either case, a trailing slash ignored), or raise ItemNotFound."""
    wanted = code.strip().strip("/").upper()
    item = (
        Item.objects.select_related("record", "home_library", "current_library")
        .defer("record__marc")
        .filter(qr_code=wanted)
        .first()
        if wanted
        else None
    )
    if item is None or item.status == ItemStatus.WITHDRAWN:
        raise ItemNotFound(field="code", scanned=repr(code))
    due = None
    if item.status == ItemStatus.ON_LOAN:
        due = Loan.objects.filter(item=item, status=Loan.Status.ACTIVE).values_list("due_on", flat=True).first()
    return ItemView(item=item, due_on=due)


def default_pickup(item: Item, home_library: Library) -> Library:
    """Where a one-tap booking from a copy's page is collected: the library the copy is at, when it hands out
    bookings (not a bookmobile, still open), else the reader's own library."""
    here = item.current_library
    if here.is_active and here.kind != Kind.BOOKMOBILE:
        return here
    return home_library
