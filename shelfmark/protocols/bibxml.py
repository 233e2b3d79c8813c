"""Records as XML for the harvesting and search protocols: MARCXML that validates against the MARC 21 slim schema,
with the copies as holdings fields, and simple Dublin Core from the catalogue's extracted fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from shelfmark.catalog.models import MarcFormat, Record, ResourceType
from shelfmark.catalog.search.tokens import strings

MARC_NS = "http://www.loc.gov/MARC21/slim"
MARC_SCHEMA = "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"

# Characters XML 1.0 cannot carry at all (C0 controls but tab and newlines, lone surrogates, U+FFFE/FFFF): MARC
# data sometimes holds stray delimiters or control bytes, which lxml refuses.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The slim schema's patterns for tags, indicators and subfield codes.
_CONTROL_TAG = re.compile(r"00[1-9A-Za-z]")
_DATA_TAG = re.compile(r"0[1-9A-Z][0-9A-Z]|0[1-9a-z][0-9a-z]|[1-9A-Z][0-9A-Z]{2}|[1-9a-z][0-9a-z]{2}")
_INDICATOR = re.compile(r"[\da-z ]")
_CODE = re.compile(r"""[\dA-Za-z!"#$%&'()*+,\-./:;<=>?{}_^`~\[\]\\]""")

# DCMI Type vocabulary for our resource types.
DC_TYPES: dict[str, str] = {
    ResourceType.PRINT: "Text",
    ResourceType.PERIODICAL: "Text",
    ResourceType.MICROFORM: "Text",
    ResourceType.DIGITAL: "Text",
    ResourceType.WEB: "InteractiveResource",
    ResourceType.ANCIENT: "Text",
    ResourceType.AUDIOVISUAL: "MovingImage",
}


@dataclass(frozen=True)
class Holding:
    """One copy as a harvester sees it: the home library's code, shelving location, call number and barcode."""

    library_code: str
    location: str
    call_number: str
    barcode: str


def xml_text(value: Any) -> str:
    """Return the value as text without the characters XML cannot carry."""
    return _NOT_XML.sub("", str(value))


def leader(value: str) -> str:
    """Return a leader the slim schema accepts: positions it constrains that hold something else are reset
    (lengths to blanks, 10-11 to 2, 20-23 to 4500; CNMARC's "450 " becomes "4500"), and 09 says UTF-8."""
    chars = list(xml_text(value or "").ljust(24)[:24])
    for position, char in enumerate(chars):
        digits_or_blank = position < 5 or 12 <= position < 17
        if digits_or_blank and not (char.isascii() and (char.isdigit() or char == " ")):
            chars[position] = " "
        elif position == 6 and not (char.isascii() and char.isalnum()):
            chars[position] = "a"
        elif position in (5, 7, 8, 17, 18, 19) and not (char.isascii() and (char.isalnum() or char == " ")):
            chars[position] = " "
        elif position in (10, 11) and char not in "2 ":
            chars[position] = "2"
    chars[9] = "a"
    text = "".join(chars)
    return text if text[20:] in ("4500", "    ") else text[:20] + "4500"


def marcxml(
    marc: Mapping[str, Any], *, marc_format: str = MarcFormat.MARC21, holdings: Iterable[Holding] = ()
) -> etree._Element:
    """Build a MARCXML <record> from MARC-in-JSON, adding the copies as 852 (MARC21) or 905 (CNMARC) fields.

    Fields the schema cannot hold (a malformed tag, a data field left without a valid subfield) are left out
    rather than failing the whole record; indicators outside [0-9a-z ] become blanks.
    """
    record = etree.Element(f"{{{MARC_NS}}}record", nsmap={None: MARC_NS})
    etree.SubElement(record, f"{{{MARC_NS}}}leader").text = leader(str(marc.get("leader") or ""))
    controls: list[etree._Element] = []
    data: list[etree._Element] = []
    for entry in marc.get("fields") or []:
        if not isinstance(entry, Mapping) or len(entry) != 1:
            continue
        ((tag, content),) = entry.items()
        tag = str(tag)
        if isinstance(content, str):
            if _CONTROL_TAG.fullmatch(tag):
                field = etree.Element(f"{{{MARC_NS}}}controlfield", tag=tag)
                field.text = xml_text(content)
                controls.append(field)
        elif isinstance(content, Mapping) and _DATA_TAG.fullmatch(tag):
            subfields = [next(iter(sub.items())) for sub in content.get("subfields") or [] if isinstance(sub, Mapping)]
            field = _datafield(tag, str(content.get("ind1") or " "), str(content.get("ind2") or " "), subfields)
            if field is not None:
                data.append(field)
    for holding in holdings:
        field = _datafield(*_holding_field(holding, marc_format))
        if field is not None:
            data.append(field)
    record.extend(controls)
    record.extend(data)
    return record


def _holding_field(holding: Holding, marc_format: str) -> tuple[str, str, str, list[tuple[str, str]]]:
    if marc_format == MarcFormat.CNMARC:
        # 905 馆藏信息 as Chinese CNMARC systems export it: $a holding library, $b barcode, $c location, $d call number.
        parts = [("a", holding.library_code), ("b", holding.barcode), ("c", holding.location)]
        return "905", " ", " ", [*parts, ("d", holding.call_number)]
    # 852 Location: $a institution, $c shelving location, $h call number, $p piece designation (barcode).
    parts = [("a", holding.library_code), ("c", holding.location), ("h", holding.call_number)]
    return "852", " ", " ", [*parts, ("p", holding.barcode)]


def _datafield(tag: str, ind1: str, ind2: str, subfields: Iterable[tuple[Any, Any]]) -> etree._Element | None:
    field = etree.Element(
        f"{{{MARC_NS}}}datafield",
        tag=tag,
        ind1=_indicator(ind1),
        ind2=_indicator(ind2),
    )
    for code, value in subfields:
        text = xml_text(value)
        if _CODE.fullmatch(str(code)) and text:
            etree.SubElement(field, f"{{{MARC_NS}}}subfield", code=str(code)).text = text
    return field if len(field) else None


def _indicator(value: str) -> str:
    char = (value or " ")[:1]
    return char if _INDICATOR.fullmatch(char) else " "


def dublin_core(parent: etree._Element, record: Record, *, links: Iterable[str] = ()) -> etree._Element:
    """Add a record's simple Dublin Core elements (title, creator, subject, publisher, date, type, identifier,
    language) to `parent`, in the order the oai_dc schema lists them, and return it."""
    values: list[tuple[str, str]] = [("title", record.title)]
    values += [("title", other) for other in strings(record.other_titles)]
    values += [("creator", name) for name in strings(record.authors)]
    values += [("subject", subject) for subject in strings(record.subjects)]
    if record.clc_class:
        values.append(("subject", record.clc_class))
    if record.publisher:
        values.append(("publisher", record.publisher))
    if record.year:
        values.append(("date", str(record.year)))
    values.append(("type", DC_TYPES.get(record.resource_type, "Text")))
    isbns = dict.fromkeys([record.isbn, *strings(record.isbns)])
    values += [("identifier", f"urn:isbn:{isbn}") for isbn in isbns if isbn]
    if record.issn:
        values.append(("identifier", f"urn:issn:{record.issn}"))
    values += [("identifier", link) for link in links]
    if record.language:
        values.append(("language", record.language))
    for name, value in values:
        text = xml_text(value).strip()
        if text:
            etree.SubElement(parent, f"{{{DC_NS}}}{name}").text = text
    return parent
