"""Pull the indexed fields of a Record out of a MARC21 or CNMARC record.

The format is detected per record (CNMARC/UNIMARC has a 200 title and no 245) unless the caller names
it. Conventions kept simple on purpose, documented in docs/catalog/marc-fields.md:
- MARC21 880 fields linked by $6 hold the original script; that form is the title shown, the pinyin
  245 goes to `title_romanized`, and authors, publisher and subjects keep both forms (original first).
- Resource type comes from the leader, 007, 008/23 (MARC21) or the 130/135/191 coded fields (CNMARC);
  Chinese text published before 1912 counts as an ancient book (古籍).
- A record is a local document (地方文献) or legal-deposit copy (呈缴本) when its local field 998 says
  so in $a, or (local documents only) when a subject or place subject starts with the province's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from typing import Any

import pymarc
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog import isbn as isbn_codes
from shelfmark.catalog import text
from shelfmark.core.errors import DomainError

FORMATS = ("auto", "marc21", "cnmarc")
LOCAL_FLAGS_TAG = "998"
LOCAL_DOCUMENT_WORDS = ("地方文献", "local")
LEGAL_DEPOSIT_WORDS = ("呈缴", "deposit")
LOCAL_PLACE_PREFIXES = ("辽宁", "遼寧", "Liaoning")
ANCIENT_BEFORE = 1912

# ISBD punctuation that closes a MARC subfield: " /", " :", " ;", " =", ",", "." and their full-width forms.
_TRAILING = re.compile(r"[\s/:;=,：；／＝，]+$")
_LEADING = re.compile(r"^[\s/:;=,：；／＝，]+")
_FINAL_PERIOD = re.compile(r"(?<![.\s][A-Z])(?<!\.\.)\.$")
_CONTROL = re.compile("[\u0088\u0089\u0098\u009c]")  # non-sort markers (NSB/NSE)
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_ISSN = re.compile(r"(\d{4})-?(\d{3}[\dXx])")


class MissingTitle(DomainError):
    code = "missing_title"
    default_message: Any = _("Record {number} has no title ({where}).")


class UnknownMarcFormat(DomainError):
    code = "unknown_marc_format"
    default_message: Any = _("Unknown MARC format {name}; use auto, marc21 or cnmarc.")


@dataclass(slots=True)
class RecordFields:
    """The Record model's catalogue fields, as extracted from one MARC record."""

    control_number: str
    marc_format: str
    marc: dict[str, Any]
    title: str
    title_romanized: str = ""
    other_titles: list[str] = field(default_factory=list)
    title_key: str = ""
    responsibility: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str = ""
    place: str = ""
    year: int | None = None
    isbn: str = ""
    isbns: list[str] = field(default_factory=list)
    issn: str = ""
    clc_class: str = ""
    other_classes: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    language: str = ""
    resource_type: str = "print"
    is_local_document: bool = False
    is_legal_deposit: bool = False

    def as_model_fields(self) -> dict[str, Any]:
        """Return the values keyed by Record field name (no copies of the MARC dict)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def clean(value: str) -> str:
    """Strip non-sort markers, surrounding space and ISBD punctuation from a subfield value."""
    value = _LEADING.sub("", _TRAILING.sub("", _CONTROL.sub("", value).strip()))
    return _FINAL_PERIOD.sub("", value).rstrip()


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def _joined(f: pymarc.Field, codes: str, sep: str = " ") -> str:
    return clean(sep.join(clean(s.value) for s in f.subfields if s.code in codes and s.value.strip()))


def _first(f: pymarc.Field, code: str) -> str:
    for s in f.subfields:
        if s.code == code and s.value.strip():
            return clean(s.value)
    return ""


def _all(f: pymarc.Field, code: str) -> Iterator[str]:
    for s in f.subfields:
        if s.code == code:
            yield s.value


def _control(record: _Tags, tag: str) -> str:
    f = record.get(tag)
    return (f.data or "") if f is not None and f.control_field else ""


def _fit(value: str, size: int) -> str:
    return value[:size]


class _Tags:
    """A record's fields grouped by tag once, so that the many lookups of extraction cost one dict get each."""

    __slots__ = ("by_tag", "leader", "record")

    def __init__(self, record: pymarc.Record) -> None:
        self.record = record
        self.leader = str(record.leader)
        by_tag: dict[str, list[pymarc.Field]] = {}
        for f in record.fields:
            by_tag.setdefault(f.tag, []).append(f)
        self.by_tag = by_tag

    def get(self, tag: str) -> pymarc.Field | None:
        found = self.by_tag.get(tag)
        return found[0] if found else None

    def get_fields(self, *tags: str) -> list[pymarc.Field]:
        if len(tags) == 1:
            return self.by_tag.get(tags[0], [])
        return [f for tag in tags for f in self.by_tag.get(tag, ())]


def marc_dict(record: pymarc.Record) -> dict[str, Any]:
    """Return the record as MARC-in-JSON (what pymarc's as_dict gives, built in one pass)."""
    return {
        "leader": str(record.leader),
        "fields": [
            {f.tag: f.data}
            if f.control_field
            else {
                f.tag: {
                    "ind1": f.indicator1,
                    "ind2": f.indicator2,
                    "subfields": [{code: value} for code, value in f.subfields],
                }
            }
            for f in record.fields
        ],
    }


def detect_format(record: pymarc.Record) -> str:
    """Tell MARC21 from CNMARC/UNIMARC: a 200 title without a 245 means CNMARC."""
    if record.get("245") is None and record.get("200") is not None:
        return "cnmarc"
    return "marc21"


def extract(record: pymarc.Record, *, marc_format: str = "auto") -> RecordFields:
    """Return the indexed fields of a MARC record; raise MissingTitle when it has none."""
    if marc_format not in FORMATS:
        raise UnknownMarcFormat(name=marc_format, field="marc_format")
    chosen = detect_format(record) if marc_format == "auto" else marc_format
    tags = _Tags(record)
    values = _cnmarc(tags) if chosen == "cnmarc" else _marc21(tags)
    if not values.title:
        where = "200 $a" if chosen == "cnmarc" else "245 $a"
        raise MissingTitle(field="title", number=values.control_number or "(no 001)", where=where)
    values.title_key = text.title_key(values.title)
    values.is_local_document, values.is_legal_deposit = _local_flags(tags, values.subjects)
    return values


# --- MARC21 -----------------------------------------------------------------------------------------


def _vernacular(record: _Tags) -> dict[str, list[pymarc.Field]]:
    """Group 880 fields by the tag their $6 links them to ("245-01/$1" → "245")."""
    linked: dict[str, list[pymarc.Field]] = {}
    for f in record.get_fields("880"):
        link = next(_all(f, "6"), "")
        if len(link) >= 3:
            linked.setdefault(link[:3], []).append(f)
    return linked


def _with_vernacular(record: _Tags, vernacular: dict[str, list[pymarc.Field]], *tags: str) -> list[pymarc.Field]:
    """Return the fields of the tags, each tag's original-script 880 forms first."""
    out: list[pymarc.Field] = []
    for tag in tags:
        out.extend(vernacular.get(tag, ()))
        out.extend(record.get_fields(tag))
    return out


def _marc21(record: _Tags) -> RecordFields:
    vernacular = _vernacular(record)
    f008 = _control(record, "008")
    leader = record.leader

    title = title_romanized = responsibility = ""
    other_titles: list[str] = []
    f245 = record.get("245")
    original = vernacular.get("245", [])
    if f245 is not None:
        title = _joined(f245, "afgknps")
        responsibility = _first(f245, "c")
        other_titles.append(_first(f245, "b"))
    if original:
        romanized_other = other_titles.pop() if other_titles else ""
        title_romanized, title = title, _joined(original[0], "afgknps") or title
        other_titles += [_first(original[0], "b"), romanized_other]
        responsibility = _first(original[0], "c") or responsibility
    for f in _with_vernacular(record, vernacular, "246", "240", "130", "730", "740"):
        other_titles.append(_joined(f, "abnp"))

    authors = [
        _joined(f, "abq") for f in _with_vernacular(record, vernacular, "100", "110", "111", "700", "710", "711")
    ]

    publisher = place = year_text = ""
    publication = [f for f in _with_vernacular(record, vernacular, "264") if f.indicator2 == "1"]
    for f in publication or _with_vernacular(record, vernacular, "260"):
        publisher = publisher or _first(f, "b")
        place = place or clean(_first(f, "a").strip("[]"))
        year_text = year_text or _first(f, "c")

    isbns = _unique(isbn_codes.to_13(v) for f in record.get_fields("020") for v in _all(f, "a"))
    issn = next((_issn(v) for f in record.get_fields("022") for v in _all(f, "a") if _issn(v)), "")

    clc: list[str] = []
    other_classes: list[str] = []
    for f in record.get_fields("084"):
        scheme = next(_all(f, "2"), "").strip().lower()
        (clc if scheme.startswith("clc") else other_classes).extend(v.strip() for v in _all(f, "a"))
    for f in record.get_fields("050", "060", "080", "082"):
        other_classes.append(_joined(f, "ab"))

    subjects = [
        _joined(f, "abcdvxyz", "--")
        for f in _with_vernacular(record, vernacular, "600", "610", "611", "630", "648", "650", "651", "655")
    ]
    subjects += [clean(v) for f in _with_vernacular(record, vernacular, "653") for v in _all(f, "a")]

    language = f008[35:38].strip().lower() if len(f008) >= 38 else ""
    if not language.isalpha():
        language = next((v[:3].lower() for f in record.get_fields("041") for v in _all(f, "a")), "")
    date1 = f008[7:11] if len(f008) >= 11 else ""
    year = _year(date1 if date1.isdigit() else year_text)

    return RecordFields(
        control_number=_fit(_control(record, "001").strip(), 64),
        marc_format="marc21",
        marc=marc_dict(record.record),
        title=title,
        title_romanized=title_romanized,
        other_titles=_unique(other_titles),
        responsibility=responsibility,
        authors=_unique(authors),
        publisher=_fit(publisher, 255),
        place=_fit(place, 255),
        year=year,
        isbn=isbns[0] if isbns else "",
        isbns=isbns,
        issn=issn,
        clc_class=_fit(clc[0], 64) if clc else "",
        other_classes=_unique(clc[1:] + other_classes),
        subjects=_unique(subjects),
        language=language[:3],
        resource_type=_marc21_resource_type(record, leader, f008, language, year),
    )


def _marc21_resource_type(record: _Tags, leader: str, f008: str, language: str, year: int | None) -> str:
    kind, level = leader[6:7], leader[7:8]
    f007 = _control(record, "007")[:1]
    # 008/23 is "form of item" for books, serials, music and mixed materials; 008/29 for maps and visuals.
    form = f008[29:30] if kind in ("e", "f", "g", "k", "o", "r") else f008[23:24]
    if f007 == "h" or form in ("a", "b", "c"):
        return "microform"
    if form == "o":
        return "web"
    if kind == "m" or f007 == "c" or form in ("q", "s"):
        return "digital"
    if kind in ("g", "i", "j"):
        return "audiovisual"
    if level in ("s", "i"):
        return "periodical"
    if kind in ("a", "t") and language == "chi" and year is not None and year < ANCIENT_BEFORE:
        return "ancient"
    return "print"


# --- CNMARC / UNIMARC -------------------------------------------------------------------------------


def _cnmarc(record: _Tags) -> RecordFields:
    title = title_romanized = responsibility = ""
    other_titles: list[str] = []
    f200 = record.get("200")
    if f200 is not None:
        titles = [clean(v) for v in _all(f200, "a") if clean(v)]
        parts = " ".join(clean(v) for v in (*_all(f200, "h"), *_all(f200, "i")) if clean(v))
        if titles:
            title = clean(f"{titles[0]} {parts}") if parts else titles[0]
            other_titles += titles[1:]
        title_romanized = _first(f200, "9")
        other_titles += [clean(v) for v in (*_all(f200, "e"), *_all(f200, "d"))]
        responsibility = "; ".join(clean(v) for v in (*_all(f200, "f"), *_all(f200, "g")) if clean(v))
    for f in record.get_fields("500", "510", "512", "513", "514", "515", "516", "517", "532", "540", "541"):
        other_titles.append(_first(f, "a"))

    authors = []
    for f in record.get_fields("700", "701", "702", "710", "711", "712", "720", "721", "722"):
        name, rest = _first(f, "a"), _first(f, "b")
        authors.append(f"{name}, {rest}" if name and rest and f.tag.startswith("70") else clean(f"{name} {rest}"))

    publisher = place = year_text = ""
    for f in record.get_fields("214", "210"):
        publisher = publisher or _first(f, "c")
        place = place or clean(_first(f, "a").strip("[]"))
        year_text = year_text or _first(f, "d")

    isbns = _unique(isbn_codes.to_13(v) for f in record.get_fields("010") for v in _all(f, "a"))
    issn = next((_issn(v) for f in record.get_fields("011") for v in _all(f, "a") if _issn(v)), "")

    clc = [v.strip() for f in record.get_fields("690") for v in _all(f, "a") if v.strip()]
    other_classes = [v.strip() for f in record.get_fields("675", "676", "680", "686") for v in _all(f, "a")]

    subjects = [
        _joined(f, "abcjxyz", "--") for f in record.get_fields("600", "601", "602", "604", "605", "606", "607", "608")
    ]
    subjects += [clean(v) for f in record.get_fields("610") for v in _all(f, "a")]

    language = next((v[:3].lower() for f in record.get_fields("101") for v in _all(f, "a")), "")
    general = next((v for f in record.get_fields("100") for v in _all(f, "a")), "")
    date1 = general[9:13]
    year = _year(date1 if date1.isdigit() else year_text)

    return RecordFields(
        control_number=_fit(_control(record, "001").strip(), 64),
        marc_format="cnmarc",
        marc=marc_dict(record.record),
        title=title,
        title_romanized=title_romanized,
        other_titles=_unique(other_titles),
        responsibility=responsibility,
        authors=_unique(authors),
        publisher=_fit(publisher, 255),
        place=_fit(place, 255),
        year=year,
        isbn=isbns[0] if isbns else "",
        isbns=isbns,
        issn=issn,
        clc_class=_fit(clc[0], 64) if clc else "",
        other_classes=_unique(clc[1:] + other_classes),
        subjects=_unique(subjects),
        language=language,
        resource_type=_cnmarc_resource_type(record, record.leader, language, year),
    )


def _cnmarc_resource_type(record: _Tags, leader: str, language: str, year: int | None) -> str:
    kind, level = leader[6:7], leader[7:8]
    if record.get("130") is not None:  # coded data: microforms
        return "microform"
    if kind == "l" or record.get("135") is not None:  # electronic resource / coded data: electronic
        return "web" if record.get("856") is not None else "digital"
    if kind in ("g", "i", "j", "m"):
        return "audiovisual"
    if level in ("s", "i"):
        return "periodical"
    if record.get("191") is not None:  # CNMARC coded data field for ancient books
        return "ancient"
    if kind in ("a", "b") and language == "chi" and year is not None and year < ANCIENT_BEFORE:
        return "ancient"
    return "print"


# --- shared ---------------------------------------------------------------------------------------


def _year(value: str) -> int | None:
    match = _YEAR.search(value or "")
    return int(match.group(1)) if match else None


def _issn(value: str) -> str:
    match = _ISSN.search(value)
    return f"{match.group(1)}-{match.group(2).upper()}" if match else ""


def _local_flags(record: _Tags, subjects: list[str]) -> tuple[bool, bool]:
    flags = " ".join(v.lower() for f in record.get_fields(LOCAL_FLAGS_TAG) for v in _all(f, "a"))
    local = any(word in flags for word in LOCAL_DOCUMENT_WORDS) or any(
        subject.startswith(LOCAL_PLACE_PREFIXES) for subject in subjects
    )
    deposit = any(word in flags for word in LEGAL_DEPOSIT_WORDS)
    return local, deposit
