"""Write records back out as ISO 2709 (UTF-8) or MARCXML, rebuilt from the MARC-in-JSON they keep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO, Protocol
from xml.etree import ElementTree

import pymarc
from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError

FORMATS = ("iso2709", "marcxml")
MARCXML_NS = "http://www.loc.gov/MARC21/slim"


class InvalidMarc(DomainError):
    code = "invalid_marc"
    default_message: Any = _("The MARC record is not valid MARC-in-JSON: {problem}")
    status = 422


class HasMarc(Protocol):
    marc: Any


def record_from_dict(marc: Mapping[str, Any]) -> pymarc.Record:
    """Build a pymarc record from MARC-in-JSON ({"leader": ..., "fields": [{tag: data-or-field}]})."""
    if not isinstance(marc, Mapping) or not isinstance(marc.get("fields"), list):
        raise InvalidMarc(problem="it needs a list of fields", field="marc")
    leader = str(marc.get("leader") or "").ljust(24)[:24]
    fields: list[pymarc.Field] = []
    for index, entry in enumerate(marc["fields"], start=1):
        if not isinstance(entry, Mapping) or len(entry) != 1:
            raise InvalidMarc(problem=f"field {index} is not one tag with its content", field="marc")
        ((tag, content),) = entry.items()
        if not (isinstance(tag, str) and len(tag) == 3 and tag.isalnum()):
            raise InvalidMarc(problem=f"field {index} has the tag {tag!r}", field="marc")
        if isinstance(content, str):
            fields.append(pymarc.Field(tag=tag, data=content))
            continue
        if not isinstance(content, Mapping) or not isinstance(content.get("subfields"), list):
            raise InvalidMarc(problem=f"field {index} ({tag}) has no subfield list", field="marc")
        subfields = []
        for sub in content["subfields"]:
            if not isinstance(sub, Mapping) or len(sub) != 1:
                raise InvalidMarc(problem=f"field {index} ({tag}) has a malformed subfield", field="marc")
            ((code, value),) = sub.items()
            subfields.append(pymarc.Subfield(str(code), str(value)))
        ind1 = (str(content.get("ind1") or " ") + " ")[0]
        ind2 = (str(content.get("ind2") or " ") + " ")[0]
        fields.append(pymarc.Field(tag=tag, indicators=pymarc.Indicators(ind1, ind2), subfields=subfields))
    record = pymarc.Record(leader=leader[:9] + "a" + leader[10:])
    record.fields = list(fields)
    return record


def write_records(records: Iterable[HasMarc], out: BinaryIO, *, fmt: str = "iso2709") -> int:
    """Write each record's MARC to a binary stream as ISO 2709 or a MARCXML collection; return the count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown MARC output format {fmt!r}; use iso2709 or marcxml")
    count = 0
    if fmt == "marcxml":
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="{MARCXML_NS}">\n'.encode())
    for item in records:
        record = record_from_dict(item.marc)
        if fmt == "iso2709":
            out.write(record.as_marc())
        else:
            node = pymarc.record_to_xml_node(record, namespace=False)
            out.write(ElementTree.tostring(node, encoding="unicode").encode() + b"\n")
        count += 1
    if fmt == "marcxml":
        out.write(b"</collection>\n")
    return count
