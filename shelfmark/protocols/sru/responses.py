"""SRU responses for versions 1.2 (namespace http://www.loc.gov/zing/srw/) and 2.0 (the OASIS sruResponse
namespace, recordXMLEscaping in place of 1.2's recordPacking, resultCountPrecision), with ZeeRex explain records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lxml import etree

from shelfmark.catalog.models import MarcFormat, Record
from shelfmark.protocols import bibxml

from .diagnostics import Diagnostic

EXPLAIN_NS = "http://explain.z3950.org/dtd/2.0/"
SRW_DC_NS = "info:srw/schema/1/dc-schema"
DIAGNOSTIC_SCHEMA = "info:srw/schema/1/diagnostics-v1.1"
EXACT_COUNT = "info:srw/vocabulary/resultCountPrecision/1/exact"


@dataclass(frozen=True)
class Version:
    """What differs between the SRU versions this server speaks."""

    number: str
    namespace: str
    diagnostic_namespace: str
    prefix: str
    escaping: str  # the element saying whether records come as XML or as escaped strings
    content_type: str


V1_2 = Version(
    "1.2", "http://www.loc.gov/zing/srw/", "http://www.loc.gov/zing/srw/diagnostic/", "zs", "recordPacking", "text/xml"
)
V2_0 = Version(
    "2.0",
    "http://docs.oasis-open.org/ns/search-ws/sruResponse",
    "http://docs.oasis-open.org/ns/search-ws/diagnostic",
    "sruResponse",
    "recordXMLEscaping",
    "application/sru+xml",
)


@dataclass(frozen=True)
class Schema:
    """A record schema: its short name, its identifier, and the MARC format it is limited to (None: any)."""

    name: str
    identifier: str
    title: str
    marc_format: str | None = None


SCHEMAS = (
    Schema("marcxml", "info:srw/schema/1/marcxml-v1.1", "MARCXML (MARC 21)", MarcFormat.MARC21),
    Schema("dc", "info:srw/schema/1/dc-v1.1", "Dublin Core"),
)


def find_schema(value: str) -> Schema | None:
    """Return the schema a recordSchema value names, by short name (any case) or identifier."""
    for schema in SCHEMAS:
        if value.lower() == schema.name or value == schema.identifier:
            return schema
    return None


class Writer:
    """Build the elements of one response in one version's namespace."""

    def __init__(self, version: Version) -> None:
        self.version = version

    def element(self, name: str, text: str | int | None = None, *, root: bool = False) -> etree._Element:
        nsmap = {self.version.prefix: self.version.namespace} if root else None
        node = etree.Element(f"{{{self.version.namespace}}}{name}", nsmap=nsmap)
        if text is not None:
            node.text = str(text)
        return node

    def child(self, parent: etree._Element, name: str, text: str | int | None = None) -> etree._Element:
        node = self.element(name, text)
        parent.append(node)
        return node

    def diagnostic(self, diagnostic: Diagnostic) -> etree._Element:
        namespace = self.version.diagnostic_namespace
        node = etree.Element(f"{{{namespace}}}diagnostic", nsmap={"diag": namespace})
        etree.SubElement(node, f"{{{namespace}}}uri").text = diagnostic.uri
        if diagnostic.details:
            etree.SubElement(node, f"{{{namespace}}}details").text = bibxml.xml_text(diagnostic.details)
        if diagnostic.message:
            etree.SubElement(node, f"{{{namespace}}}message").text = diagnostic.message
        return node

    def diagnostics(self, parent: etree._Element, diagnostics: Iterable[Diagnostic]) -> None:
        found = list(diagnostics)
        if found:
            wrapper = self.child(parent, "diagnostics")
            wrapper.extend(self.diagnostic(diagnostic) for diagnostic in found)

    def record(
        self, parent: etree._Element, *, schema: str, data: etree._Element, escaped: bool, position: int | None
    ) -> None:
        record = self.child(parent, "record")
        self.child(record, "recordSchema", schema)
        self.child(record, self.version.escaping, "string" if escaped else "xml")
        holder = self.child(record, "recordData")
        if escaped:
            holder.text = etree.tostring(data, encoding="unicode")
        else:
            holder.append(data)
        if position is not None:
            self.child(record, "recordPosition", position)


@dataclass(frozen=True)
class Page:
    """A searchRetrieve answer: the count, the records from `start` on, and the request's echo (1.2)."""

    total: int
    start: int
    records: Sequence[Record]
    holdings: dict[int, list[bibxml.Holding]]
    schema: Schema
    escaped: bool
    links: dict[int, str]
    echo: dict[str, str]


def search_retrieve(
    version: Version, page: Page | None, diagnostics: Sequence[Diagnostic] = (), total: int = 0
) -> bytes:
    """Return a searchRetrieveResponse: the page's records, or only the fatal diagnostics."""
    writer = Writer(version)
    root = writer.element("searchRetrieveResponse", root=True)
    writer.child(root, "version", version.number)
    writer.child(root, "numberOfRecords", page.total if page is not None else total)
    if page is not None and page.records:
        records = writer.child(root, "records")
        for position, record in enumerate(page.records, start=page.start):
            schema, data = _record_data(record, page, writer)
            writer.record(records, schema=schema, data=data, escaped=page.escaped, position=position)
        following = page.start + len(page.records)
        if following <= page.total:
            writer.child(root, "nextRecordPosition", following)
    if version is V1_2 and page is not None:
        echo = writer.child(root, "echoedSearchRetrieveRequest")
        for name in ("version", "query", "startRecord", "maximumRecords", "recordPacking", "recordSchema"):
            if name in page.echo:
                writer.child(echo, name, page.echo[name])
    writer.diagnostics(root, diagnostics)
    if version is V2_0 and page is not None:
        writer.child(root, "resultCountPrecision", EXACT_COUNT)
    return _serialise(root)


def _record_data(record: Record, page: Page, writer: Writer) -> tuple[str, etree._Element]:
    """Return the schema identifier and data of one record, or a surrogate diagnostic when it is not in the schema."""
    schema = page.schema
    if schema.marc_format is not None and record.marc_format != schema.marc_format:
        surrogate = Diagnostic(67, f"{schema.name}: this record is {record.marc_format}")
        return DIAGNOSTIC_SCHEMA, writer.diagnostic(surrogate)
    if schema.name == "marcxml":
        return schema.identifier, bibxml.marcxml(
            record.marc, marc_format=record.marc_format, holdings=page.holdings.get(record.pk, [])
        )
    dc = etree.Element(f"{{{SRW_DC_NS}}}dc", nsmap={"srw_dc": SRW_DC_NS, "dc": bibxml.DC_NS})
    return schema.identifier, bibxml.dublin_core(dc, record, links=[page.links[record.pk]])


@dataclass(frozen=True)
class Server:
    """Where the server is, for the explain record."""

    host: str
    port: int
    database: str
    title: str
    default_records: int
    maximum_records: int


INDEX_TITLES = (
    ("cql", "serverChoice", "任意字段"),
    ("cql", "anywhere", "任意字段"),
    ("cql", "allRecords", "全部记录"),
    ("dc", "title", "题名"),
    ("dc", "creator", "责任者"),
    ("dc", "subject", "主题"),
    ("dc", "publisher", "出版者"),
    ("dc", "date", "出版年"),
    ("dc", "identifier", "ISBN / ISSN"),
    ("bath", "isbn", "ISBN"),
    ("bath", "issn", "ISSN"),
    ("bath", "name", "责任者"),
    ("bath", "subject", "主题"),
)
RELATIONS = ("=", "==", "all", "any", "adj", "<", "<=", ">", ">=")


def explain(version: Version, server: Server, *, escaped: bool, diagnostics: Sequence[Diagnostic] = ()) -> bytes:
    """Return an explainResponse whose record is the ZeeRex description of this server."""
    from .query import CONTEXT_SETS, DEFAULT_SET

    writer = Writer(version)
    root = writer.element("explainResponse", root=True)
    writer.child(root, "version", version.number)

    def z(
        parent: etree._Element | None, local: str, text: str | int | None = None, /, **attributes: str
    ) -> etree._Element:
        tag = f"{{{EXPLAIN_NS}}}{local}"
        node = (
            etree.Element(tag, attributes, nsmap={"zr": EXPLAIN_NS})
            if parent is None
            else etree.SubElement(parent, tag, attributes)
        )
        if text is not None:
            node.text = str(text)
        return node

    description = z(None, "explain")
    info = z(description, "serverInfo", protocol="SRU", version=version.number, transport="http", method="GET POST")
    z(info, "host", server.host)
    z(info, "port", server.port)
    z(info, "database", server.database)
    database = z(description, "databaseInfo")
    z(database, "title", server.title, lang="zh", primary="true")
    indexes = z(description, "indexInfo")
    for name, uri in CONTEXT_SETS.items():
        z(indexes, "set", name=name, identifier=uri)
    for context, name, title in INDEX_TITLES:
        index = z(indexes, "index", search="true", scan="false", sort="false")
        z(index, "title", title, lang="zh")
        z(z(index, "map"), "name", name, set=context)
    schemas = z(description, "schemaInfo")
    for schema in SCHEMAS:
        z(
            z(schemas, "schema", identifier=schema.identifier, name=schema.name, retrieve="true", sort="false"),
            "title",
            schema.title,
        )
    config = z(description, "configInfo")
    z(config, "default", server.default_records, type="numberOfRecords")
    z(config, "default", "marcxml", type="retrieveSchema")
    z(config, "default", DEFAULT_SET, type="contextSet")
    z(config, "default", "cql.serverChoice", type="index")
    z(config, "default", "=", type="relation")
    z(config, "setting", server.maximum_records, type="maximumRecords")
    for relation in RELATIONS:
        z(config, "supports", relation, type="relation")
    z(config, "supports", "*", type="maskingCharacter")
    writer.record(root, schema=EXPLAIN_NS, data=description, escaped=escaped, position=None)
    writer.diagnostics(root, diagnostics)
    return _serialise(root)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
