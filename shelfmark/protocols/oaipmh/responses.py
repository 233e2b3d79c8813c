"""Write OAI-PMH responses with lxml's incremental writer: the envelope once, then one record at a time, so a page of
MARC records streams out as it is serialised instead of being built whole in memory first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from lxml import etree

from shelfmark.protocols import bibxml

from .protocol import (
    OAI_DC_NS,
    OAI_DC_SCHEMA,
    OAI_IDENTIFIER_NS,
    OAI_IDENTIFIER_SCHEMA,
    OAI_NS,
    OAI_SCHEMA,
    XSI_NS,
    MetadataFormat,
    OaiError,
    datestamp,
    identifier,
)
from .repository import Entry

_SCHEMA_LOCATION = f"{{{XSI_NS}}}schemaLocation"


def _q(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


class _Chunks:
    """The incremental writer's file: collects what it writes until the stream takes it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


Body = Callable[[Any], Iterator[None]]


def stream(
    *,
    now: datetime,
    base_url: str,
    request_attributes: dict[str, str],
    body: Body | None = None,
    errors: Iterable[OaiError] = (),
) -> Iterator[bytes]:
    """Yield the response in chunks: the envelope, then what `body` writes (it yields after each record), or the
    errors. `request_attributes` are left out by the caller for badVerb and badArgument, as the protocol asks."""
    sink = _Chunks()
    with etree.xmlfile(sink, encoding="utf-8") as xf:
        xf.write_declaration()
        root_attributes = {_SCHEMA_LOCATION: f"{OAI_NS} {OAI_SCHEMA}"}
        with xf.element(_q("OAI-PMH"), root_attributes, nsmap={None: OAI_NS, "xsi": XSI_NS}):
            xf.write(_text("responseDate", datestamp(now)))
            request = _text("request", base_url)
            for name, value in request_attributes.items():
                request.set(name, value)
            xf.write(request)
            for error in errors:
                element = _text("error", error.message)
                element.set("code", error.code)
                xf.write(element)
            if body is not None:
                for _ in body(xf):
                    yield sink.take()
    yield sink.take()


def _element(name: str, **attributes: str) -> etree._Element:
    """Make an OAI element to write on its own: it declares the OAI namespace as its default, so that it and its
    children carry no prefixes."""
    return etree.Element(_q(name), attributes, nsmap={None: OAI_NS})


def _text(name: str, text: str) -> etree._Element:
    element = _element(name)
    element.text = text
    return element


def verb_element(xf: Any, verb: str) -> AbstractContextManager[Any]:
    return xf.element(_q(verb))


def header(entry: Entry, specs: Iterable[str]) -> etree._Element:
    element = _element("header")
    if entry.deleted:
        element.set("status", "deleted")
    etree.SubElement(element, _q("identifier")).text = identifier(entry.record_id)
    etree.SubElement(element, _q("datestamp")).text = datestamp(entry.datestamp)
    for spec in specs:
        etree.SubElement(element, _q("setSpec")).text = spec
    return element


def record(entry: Entry, specs: Iterable[str], fmt: MetadataFormat, *, links: Iterable[str] = ()) -> etree._Element:
    """Return a <record>: the header, and the metadata in `fmt` unless the record is deleted."""
    element = _element("record")
    element.append(header(entry, specs))
    if entry.record is not None:
        etree.SubElement(element, _q("metadata")).append(metadata(entry, fmt, links=links))
    return element


def metadata(entry: Entry, fmt: MetadataFormat, *, links: Iterable[str] = ()) -> etree._Element:
    assert entry.record is not None
    if fmt.prefix == "oai_dc":
        dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": bibxml.DC_NS, "xsi": XSI_NS})
        dc.set(_SCHEMA_LOCATION, f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
        return bibxml.dublin_core(dc, entry.record, links=links)
    marc = bibxml.marcxml(entry.record.marc, marc_format=entry.marc_format, holdings=entry.holdings)
    marc.set(_SCHEMA_LOCATION, f"{bibxml.MARC_NS} {bibxml.MARC_SCHEMA}")
    return marc


def resumption_token(token: str, *, expires: datetime | None, size: int, cursor: int) -> etree._Element:
    """Return a <resumptionToken>; an empty token (no expiry) ends a list that was split."""
    element = _element("resumptionToken", completeListSize=str(size), cursor=str(cursor))
    if expires is not None:
        element.set("expirationDate", datestamp(expires))
    element.text = token or None
    return element


def identify(
    *, name: str, base_url: str, admin_email: str, earliest: str, repository_id: str, sample: str
) -> list[etree._Element]:
    """Return the children of <Identify>, in the schema's order."""
    values = [
        ("repositoryName", name),
        ("baseURL", base_url),
        ("protocolVersion", "2.0"),
        ("adminEmail", admin_email),
        ("earliestDatestamp", earliest),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ]
    children = [_text(tag, value) for tag, value in values]
    description = _element("description")
    oai_identifier = etree.SubElement(
        description, f"{{{OAI_IDENTIFIER_NS}}}oai-identifier", nsmap={None: OAI_IDENTIFIER_NS, "xsi": XSI_NS}
    )
    oai_identifier.set(_SCHEMA_LOCATION, f"{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}")
    for tag, value in (("scheme", "oai"), ("repositoryIdentifier", repository_id), ("delimiter", ":")):
        etree.SubElement(oai_identifier, f"{{{OAI_IDENTIFIER_NS}}}{tag}").text = value
    etree.SubElement(oai_identifier, f"{{{OAI_IDENTIFIER_NS}}}sampleIdentifier").text = sample
    children.append(description)
    return children


def metadata_format(fmt: MetadataFormat) -> etree._Element:
    element = _element("metadataFormat")
    for tag, value in (("metadataPrefix", fmt.prefix), ("schema", fmt.schema), ("metadataNamespace", fmt.namespace)):
        etree.SubElement(element, _q(tag)).text = value
    return element


def set_element(spec: str, name: str) -> etree._Element:
    element = _element("set")
    etree.SubElement(element, _q("setSpec")).text = spec
    etree.SubElement(element, _q("setName")).text = bibxml.xml_text(name)
    return element
