"""SRU fixtures: four records (three MARC21 books, one in traditional characters, and a CNMARC record), the MARC 21
slim schema for checking records offline, and helpers that read responses of either version."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import Record
from shelfmark.catalog.tests import marc_samples as samples
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.protocols.sru.responses import V1_2, V2_0

XSD_DIR = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "xsd"
NS = {
    "zs": V1_2.namespace,
    "zd": V1_2.diagnostic_namespace,
    "sru": V2_0.namespace,
    "diag": V2_0.diagnostic_namespace,
    "marc": "http://www.loc.gov/MARC21/slim",
    "dc": "http://purl.org/dc/elements/1.1/",
    "zr": "http://explain.z3950.org/dtd/2.0/",
}


@cache
def marc_schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(XSD_DIR / "MARC21slim.xsd"))


@dataclass
class Answer:
    """A parsed SRU response and the prefix of its version's namespace."""

    document: etree._Element
    content_type: str

    @property
    def p(self) -> str:
        return "sru" if self.document.nsmap.get("sruResponse") else "zs"

    def text(self, path: str) -> str | None:
        return self.document.findtext(path.replace("S:", f"{self.p}:"), namespaces=NS)

    def all(self, path: str) -> list[etree._Element]:
        return self.document.findall(path.replace("S:", f"{self.p}:"), NS)

    @property
    def count(self) -> int:
        return int(self.text("S:numberOfRecords") or -1)

    @property
    def diagnostics(self) -> list[tuple[str, str]]:
        """The fatal diagnostics: (number, details)."""
        prefix = "diag" if self.p == "sru" else "zd"
        return [
            (
                node.findtext(f"{prefix}:uri", namespaces=NS).rsplit("/", 1)[1],
                node.findtext(f"{prefix}:details", namespaces=NS),
            )
            for node in self.all(f"S:diagnostics/{prefix}:diagnostic")
        ]

    def records(self) -> list[etree._Element]:
        """The records' data: MARCXML or Dublin Core elements (parsed when they came escaped)."""
        found = []
        for data in self.all("S:records/S:record/S:recordData"):
            found.append(etree.fromstring(data.text) if len(data) == 0 else data[0])
        return found

    def titles(self) -> list[str]:
        """The 245$a (MARC21), 200$a (CNMARC) or dc:title of each record, in order."""
        titles = []
        for record in self.records():
            title = (
                record.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", namespaces=NS)
                or record.findtext("marc:datafield[@tag='200']/marc:subfield[@code='a']", namespaces=NS)
                or record.findtext("dc:title", namespaces=NS)
            )
            titles.append(title or "")
        return titles


def ask(client: Client, method: str = "get", **params: Any) -> Answer:
    """Send an SRU request; check it answered 200 with XML."""
    response = getattr(client, method)("/sru", params)
    assert response.status_code == 200
    return Answer(etree.fromstring(response.content), response["Content-Type"])


@dataclass
class Catalogue:
    net: Network
    liaoning: Record  # 辽宁地方志研究, 王五, 2019, a copy at the county
    shenyang: Record  # 沈阳城市史, 张三, 2015
    traditional: Record  # 遼寧省志 (traditional characters), 李四, 2001
    cnmarc: Record  # 辽宁　地方志 (CNMARC), 张三主编, subjects 地方志 研究 辽宁


@pytest.fixture
def catalogue(db: Any) -> Catalogue:
    net = make_network()
    liaoning = make_record("辽宁地方志研究", author="王五", isbn="9787205012342", year=2019)
    make_item(liaoning, library=net.county, call_number="K293.1/12")
    shenyang = make_record("沈阳城市史", author="张三", isbn="9787205088880", year=2015)
    traditional = make_record("遼寧省志", author="李四", isbn="9787205077778", year=2001)
    cnmarc = catalog.create_record(marc=samples.cnmarc().as_dict(), actor=None)
    return Catalogue(net, liaoning, shenyang, traditional, cnmarc)
