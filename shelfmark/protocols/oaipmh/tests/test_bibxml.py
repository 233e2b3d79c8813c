"""MARCXML and Dublin Core as the protocols send them: valid against the official schemas for every real record."""

from __future__ import annotations

import pytest
from lxml import etree

from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import Record
from shelfmark.catalog.tests.conftest import MARC_DIR
from shelfmark.protocols import bibxml
from shelfmark.protocols.oaipmh.protocol import OAI_DC_NS

from .conftest import NS, schema

MARC_FILES = ["test.dat", "marc.dat", "marc8.dat", "utf8_without_leader_flag.dat", "regression45.dat",
              "testunimarc.dat", "bad_records.mrc", "batch.xml", "utf8.xml"]  # fmt: skip


@pytest.mark.django_db
def test_every_real_record_becomes_valid_marcxml_with_its_fields():
    # given every record of the shared MARC samples, catalogued
    for name in MARC_FILES:
        catalog.import_marc(source=MARC_DIR / name, match="none")
    records = list(Record.objects.all())
    assert len(records) == 50  # as MANIFEST.md counts them: 10 + 20 + 1 + 1 + 12 + 1 + 2 + 2 + 1

    # when each is written as MARCXML
    for record in records:
        element = bibxml.marcxml(record.marc, marc_format=record.marc_format)

        # then the MARC 21 slim schema accepts it, and it holds the record's title field and control number
        schema("MARC21slim.xsd").assertValid(element)
        title_tag = "200" if record.marc_format == "cnmarc" else "245"
        assert element.find(f"marc:datafield[@tag='{title_tag}']", NS) is not None, record.title
        if record.control_number:
            assert element.findtext("marc:controlfield[@tag='001']", namespaces=NS).strip() == record.control_number


def test_a_cnmarc_leader_is_made_one_the_slim_schema_accepts():
    assert bibxml.leader("00000nam0 2200000   450 ") == "00000nam0a2200000   4500"
    assert bibxml.leader("01234cam  22003611a 4500") == "01234cam a22003611a 4500"
    assert bibxml.leader("#####n?m\x1f") == "     nam a" + " " * 14
    assert bibxml.leader("") == "      a  a" + " " * 14


def test_fields_the_schema_cannot_hold_are_dropped_and_bad_characters_removed():
    # given MARC-in-JSON with a control character, a bad indicator, a bad tag, an empty field and a bad code
    marc = {
        "leader": "00000nam a2200000 a 4500",
        "fields": [
            {"001": "ab\x1ecd"},
            {"245": {"ind1": "X", "ind2": "0", "subfields": [{"a": "题名\x0b"}, {" ": "lost"}]}},
            {"2 5": {"ind1": " ", "ind2": " ", "subfields": [{"a": "bad tag"}]}},
            {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": ""}]}},
            {"FMT": "BK"},
        ],
    }

    # when it is written
    element = bibxml.marcxml(marc)

    # then what is left is valid, cleaned, and keeps the good data
    schema("MARC21slim.xsd").assertValid(element)
    assert element.findtext("marc:controlfield[@tag='001']", namespaces=NS) == "abcd"
    title = element.find("marc:datafield[@tag='245']", NS)
    assert (title.get("ind1"), title.get("ind2")) == (" ", "0")
    assert [(s.get("code"), s.text) for s in title] == [("a", "题名")]
    assert [f.get("tag") for f in element.findall("marc:datafield", NS)] == ["245"]
    assert element.findall("marc:controlfield", NS)[1:] == []


def test_copies_become_852_in_marc21_and_905_in_cnmarc():
    holding = bibxml.Holding("LN-SY-KP", "地方文献室", "K293.1/12", "KP0001")
    marc = {"leader": "00000nam a2200000 a 4500", "fields": [{"245": {"subfields": [{"a": "书"}]}}]}

    marc21 = bibxml.marcxml(marc, marc_format="marc21", holdings=[holding])
    cnmarc = bibxml.marcxml(marc, marc_format="cnmarc", holdings=[holding])

    def subfields(element: etree._Element, tag: str) -> list[tuple[str, str]]:
        return [(s.get("code"), s.text) for s in element.find(f"marc:datafield[@tag='{tag}']", NS)]

    assert subfields(marc21, "852") == [("a", "LN-SY-KP"), ("c", "地方文献室"), ("h", "K293.1/12"), ("p", "KP0001")]
    assert subfields(cnmarc, "905") == [("a", "LN-SY-KP"), ("b", "KP0001"), ("c", "地方文献室"), ("d", "K293.1/12")]
    schema("MARC21slim.xsd").assertValid(marc21)
    schema("MARC21slim.xsd").assertValid(cnmarc)


@pytest.mark.django_db
def test_dublin_core_holds_the_extracted_fields_and_validates():
    # given a CNMARC record (title, author, subject, class, publisher, year, ISBN, language)
    from shelfmark.catalog.tests import marc_samples as samples

    record = catalog.create_record(marc=samples.cnmarc().as_dict(), actor=None)
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": bibxml.DC_NS})

    # when written as Dublin Core
    bibxml.dublin_core(dc, record, links=["http://opac.example.org/records/1/"])

    # then the oai_dc schema accepts it and each element holds its field
    schema("oai_dc.xsd").assertValid(dc)
    values = [(etree.QName(child).localname, child.text) for child in dc]
    assert values == [
        ("title", "辽宁　地方志"),
        ("title", "编纂研究"),
        ("creator", "张三"),
        *[("subject", subject) for subject in record.subjects],
        ("subject", "K293.1"),
        ("publisher", "辽宁人民出版社"),
        ("date", "2019"),
        ("type", "Text"),
        ("identifier", "urn:isbn:9787020002207"),
        ("identifier", "http://opac.example.org/records/1/"),
        ("language", "chi"),
    ]
