"""Read an oai_dc record as a brief MARC 21 record, so that Dublin Core members cluster like MARC ones.

The crosswalk follows the Library of Congress Dublin Core to MARC mapping, reduced to what clustering and the
staff pages read: title → 245 $a, first creator → 100 $a and the others → 700 $a, publisher → 260 $b, the first
year in date → 260 $c and 008/07-10, identifiers that are valid ISBNs → 020 $a, subject → 653 $a,
language → 041 $a, description → 520 $a.
"""

from __future__ import annotations

import re

import pymarc
from lxml import etree

from shelfmark.catalog import isbn as isbn_codes

DC_NS = "http://purl.org/dc/elements/1.1/"
_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")


def _values(element: etree._Element, name: str) -> list[str]:
    return [
        " ".join(node.text.split()) for node in element.iter(f"{{{DC_NS}}}{name}") if node.text and node.text.strip()
    ]


def _field(tag: str, code: str, value: str, indicators: tuple[str, str] = (" ", " ")) -> pymarc.Field:
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=[pymarc.Subfield(code, value)])


def record_from_dc(element: etree._Element, *, identifier: str) -> pymarc.Record:
    """Build a MARC 21 record from an oai_dc:dc element (its 001 is the OAI identifier)."""
    titles = _values(element, "title")
    creators = _values(element, "creator")
    dates = _values(element, "date")
    year = next((found.group(1) for date in dates if (found := _YEAR.search(date))), "")
    record = pymarc.Record(leader="00000nam a22000007a 4500")
    record.add_field(pymarc.Field(tag="001", data=identifier[:255]))
    record.add_field(pymarc.Field(tag="008", data=f"000000s{year or '    '}    xx            000 0 und d"))
    for value in _values(element, "identifier"):
        if isbn := isbn_codes.to_13(value):
            record.add_field(_field("020", "a", isbn))
    for language in _values(element, "language")[:1]:
        record.add_field(_field("041", "a", language[:3].lower()))
    if creators:
        record.add_field(_field("100", "a", creators[0], ("1", " ")))
    if titles:
        record.add_field(_field("245", "a", titles[0], ("1", "0")))
    publishers = _values(element, "publisher")
    if publishers or year:
        subfields = [pymarc.Subfield("b", publishers[0])] if publishers else []
        if year:
            subfields.append(pymarc.Subfield("c", year))
        record.add_field(pymarc.Field(tag="260", indicators=pymarc.Indicators(" ", " "), subfields=subfields))
    for description in _values(element, "description")[:1]:
        record.add_field(_field("520", "a", description))
    for subject in _values(element, "subject"):
        record.add_field(_field("653", "a", subject))
    for creator in creators[1:]:
        record.add_field(_field("700", "a", creator, ("1", " ")))
    return record
