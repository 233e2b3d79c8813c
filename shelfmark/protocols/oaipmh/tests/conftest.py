"""OAI-PMH fixtures: the official schemas (validated offline), a small catalogue with copies in the network tree, a
CNMARC record and a deleted record, all with fixed datestamps, and a client that validates every response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import DeletedRecord, Record
from shelfmark.catalog.tests import marc_samples as samples
from shelfmark.holdings.models import Item
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.protocols.oaipmh.protocol import OAI_NS

# <repo>/../shared/data/xsd: CI clones the repo beside shared/, as on the development machine.
XSD_DIR = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "xsd"
NS = {"oai": OAI_NS, "marc": "http://www.loc.gov/MARC21/slim", "dc": "http://purl.org/dc/elements/1.1/"}
REPOSITORY_ID = "lib.example.org"
OLD = datetime(2025, 1, 10, 8, 0, 0, tzinfo=UTC)


@cache
def schema(name: str = "oai-pmh-all.xsd") -> etree.XMLSchema:
    """The schema in ../shared/data/xsd (oai-pmh-all.xsd: OAI-PMH with oai_dc, MARCXML and oai-identifier)."""
    return etree.XMLSchema(file=str(XSD_DIR / name))


def validated(body: bytes) -> etree._Element:
    """Parse a response and assert it is valid against the OAI-PMH schema and the metadata schemas it holds."""
    document = etree.fromstring(body)
    schema().assertValid(document)
    return document


@dataclass
class Oai:
    """Send requests to /oai with Django's test client; every answer is checked against the schemas."""

    client: Client

    def get(self, **params: Any) -> etree._Element:
        response = self.client.get("/oai", params)
        return self._read(response)

    def post(self, **params: Any) -> etree._Element:
        response = self.client.post("/oai", params)
        return self._read(response)

    def _read(self, response: Any) -> etree._Element:
        assert response.status_code == 200
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        return read(response)


def errors(document: etree._Element) -> list[str]:
    """Return the codes of the response's errors."""
    return [error.get("code") for error in document.findall("oai:error", NS)]


def identifiers(document: etree._Element) -> list[str]:
    return [node.text for node in document.iterfind(".//oai:header/oai:identifier", NS)]


def token(document: etree._Element) -> etree._Element:
    """Return the response's resumptionToken element, which must be there."""
    found = document.find(".//oai:resumptionToken", NS)
    assert found is not None
    return found


def one(document: etree._Element, path: str) -> etree._Element:
    """Return the element at `path` (prefixes from NS), which must be there."""
    found = document.find(path, NS)
    assert found is not None, path
    return found


def read(response: Any) -> etree._Element:
    """Read a streamed /oai response whole and validate it."""
    return validated(b"".join(response.streaming_content))


@pytest.fixture
def oai(client: Client, settings: Any) -> Oai:
    settings.SHELFMARK_OAI_REPOSITORY_ID = REPOSITORY_ID
    return Oai(client)


@dataclass
class Catalogue:
    """Four live records and one deleted: a book at the county and its township, a book at the other county, an
    unheld book, a CNMARC record; all last changed at OLD (the deleted one gone at GONE)."""

    net: Network
    county_book: Record
    other_county_book: Record
    unheld_book: Record
    cnmarc_record: Record
    deleted_id: int

    @property
    def live(self) -> list[Record]:
        return [self.county_book, self.other_county_book, self.unheld_book, self.cnmarc_record]


GONE = datetime(2025, 2, 1, 9, 30, 0, tzinfo=UTC)


def oai_id(record_id: int) -> str:
    return f"oai:{REPOSITORY_ID}:{record_id}"


def backdate(records: list[Record], when: datetime) -> None:
    """Set records' and their copies' timestamps (auto_now has no clock to inject): the tests' fixed datestamps."""
    ids = [record.pk for record in records]
    Record.objects.filter(pk__in=ids).update(updated_at=when)
    Item.objects.filter(record_id__in=ids).update(created_at=when, status_changed_at=when, updated_at=when)


def make_catalogue() -> Catalogue:
    net = make_network()
    county_book = make_record("辽宁地方志研究", isbn="9787205012342")
    make_item(county_book, library=net.county, call_number="K293.1/12", shelving_location="地方文献室")
    make_item(county_book, library=net.township)
    other_county_book = make_record("法库县志", isbn="9787205099992")
    make_item(other_county_book, library=net.other_county)
    unheld_book = make_record("沈阳城市史", isbn="9787205088880")
    cnmarc_record = catalog.create_record(marc=samples.cnmarc().as_dict(), actor=None)
    doomed = make_record("待删除的书", isbn="9787205077772")
    catalog.delete_record(record=doomed, actor=None, now=GONE)
    catalogue = Catalogue(net, county_book, other_county_book, unheld_book, cnmarc_record, doomed.pk)
    backdate(catalogue.live, OLD)
    assert DeletedRecord.objects.filter(record_id=doomed.pk).exists()
    return catalogue


@pytest.fixture
def catalogue(db: Any) -> Catalogue:
    return make_catalogue()
