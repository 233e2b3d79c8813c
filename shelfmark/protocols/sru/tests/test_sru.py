"""SRU through Django's test client: explain, searchRetrieve with CQL on the catalogue search, versions 1.2 and 2.0,
record schemas and packings, paging, and the diagnostics for what the server cannot do."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation
from lxml import etree

from shelfmark.protocols.sru import query

from .conftest import NS, Catalogue, ask, marc_schema

pytestmark = pytest.mark.django_db


# -- explain --------------------------------------------------------------------------------------------------


def test_a_request_without_a_query_is_explained_in_2_0(client: Client, catalogue: Catalogue):
    answer = ask(client)

    assert answer.content_type == "application/sru+xml; charset=utf-8"
    assert answer.document.tag == f"{{{NS['sru']}}}explainResponse"
    assert answer.text("S:version") == "2.0"
    assert answer.text("S:record/S:recordSchema") == "http://explain.z3950.org/dtd/2.0/"
    assert answer.text("S:record/S:recordXMLEscaping") == "xml"
    explain = answer.all("S:record/S:recordData/zr:explain")[0]
    info = explain.find("zr:serverInfo", NS)
    assert (info.get("protocol"), info.get("version"), info.findtext("zr:database", namespaces=NS)) == (
        "SRU",
        "2.0",
        "sru",
    )
    indexes = {(n.get("set"), n.text) for n in explain.iterfind("zr:indexInfo/zr:index/zr:map/zr:name", NS)}
    assert {("dc", "title"), ("dc", "creator"), ("dc", "subject"), ("bath", "isbn"), ("cql", "anywhere")} <= indexes
    schemas = [s.get("identifier") for s in explain.iterfind("zr:schemaInfo/zr:schema", NS)]
    assert schemas == ["info:srw/schema/1/marcxml-v1.1", "info:srw/schema/1/dc-v1.1"]
    assert explain.findtext("zr:configInfo/zr:setting[@type='maximumRecords']", namespaces=NS) == "100"


def test_explain_in_1_2_uses_the_srw_namespace(client: Client):
    answer = ask(client, operation="explain", version="1.2", recordPacking="string")

    assert answer.content_type == "text/xml; charset=utf-8"
    assert answer.document.tag == f"{{{NS['zs']}}}explainResponse"
    assert (answer.text("S:version"), answer.text("S:record/S:recordPacking")) == ("1.2", "string")
    escaped = answer.text("S:record/S:recordData")
    assert etree.fromstring(escaped).tag == f"{{{NS['zr']}}}explain"


# -- searchRetrieve: versions, schemas, packing ----------------------------------------------------------------


def test_search_retrieve_2_0_returns_marcxml_with_positions_and_copies(client: Client, catalogue: Catalogue):
    answer = ask(client, query="dc.creator = 王五")

    assert answer.document.tag == f"{{{NS['sru']}}}searchRetrieveResponse"
    assert (answer.text("S:version"), answer.count) == ("2.0", 1)
    record = answer.all("S:records/S:record")[0]
    assert record.findtext("sru:recordSchema", namespaces=NS) == "info:srw/schema/1/marcxml-v1.1"
    assert record.findtext("sru:recordXMLEscaping", namespaces=NS) == "xml"
    assert record.findtext("sru:recordPosition", namespaces=NS) == "1"
    marc = answer.records()[0]
    marc_schema().assertValid(marc)
    assert marc.findtext("marc:controlfield[@tag='001']", namespaces=NS) == catalogue.liaoning.control_number
    assert marc.findtext("marc:datafield[@tag='852']/marc:subfield[@code='h']", namespaces=NS) == "K293.1/12"
    assert answer.text("S:resultCountPrecision") == "info:srw/vocabulary/resultCountPrecision/1/exact"
    assert answer.all("S:nextRecordPosition") == []


def test_search_retrieve_1_2_echoes_the_request(client: Client, catalogue: Catalogue):
    answer = ask(client, version="1.2", operation="searchRetrieve", query="dc.title=沈阳", maximumRecords="5")

    assert answer.document.tag == f"{{{NS['zs']}}}searchRetrieveResponse"
    assert (answer.text("S:version"), answer.count, answer.titles()) == ("1.2", 1, ["沈阳城市史"])
    assert answer.text("S:records/S:record/S:recordPacking") == "xml"
    echo = {child.tag.split("}")[1]: child.text for child in answer.all("S:echoedSearchRetrieveRequest")[0]}
    assert echo == {
        "version": "1.2",
        "query": "dc.title=沈阳",
        "startRecord": "1",
        "maximumRecords": "5",
        "recordPacking": "xml",
        "recordSchema": "marcxml",
    }


@pytest.mark.parametrize(("version", "parameter"), [("1.2", "recordPacking"), ("2.0", "recordXMLEscaping")])
def test_records_come_escaped_as_strings_when_asked(client: Client, catalogue: Catalogue, version, parameter):
    answer = ask(client, version=version, operation="searchRetrieve", query="dc.title=沈阳", **{parameter: "string"})

    data = answer.all("S:records/S:record/S:recordData")[0]
    assert len(data) == 0
    marc = etree.fromstring(data.text)
    marc_schema().assertValid(marc)
    assert answer.titles() == ["沈阳城市史"]


def test_dublin_core_schema_by_short_name_or_identifier(client: Client, catalogue: Catalogue):
    short = ask(client, query="dc.title=沈阳", recordSchema="dc")
    full = ask(client, query="dc.title=沈阳", recordSchema="info:srw/schema/1/dc-v1.1")

    for answer in (short, full):
        dc = answer.records()[0]
        assert dc.tag == "{info:srw/schema/1/dc-schema}dc"
        assert [(etree.QName(c).localname, c.text) for c in dc][:3] == [
            ("title", "沈阳城市史"),
            ("creator", "张三"),
            ("publisher", "辽宁人民出版社"),
        ]
        assert f"http://testserver/records/{catalogue.shenyang.pk}/" in [c.text for c in dc]


def test_a_cnmarc_record_is_a_surrogate_diagnostic_in_marcxml_and_a_record_in_dc(client: Client, catalogue: Catalogue):
    in_marcxml = ask(client, query="dc.subject = 地方志")
    in_dc = ask(client, query="dc.subject = 地方志", recordSchema="dc")

    record = in_marcxml.all("S:records/S:record")[0]
    assert record.findtext("sru:recordSchema", namespaces=NS) == "info:srw/schema/1/diagnostics-v1.1"
    surrogate = record.find("sru:recordData/diag:diagnostic", NS)
    assert surrogate.findtext("diag:uri", namespaces=NS) == "info:srw/diagnostic/1/67"
    assert in_marcxml.diagnostics == []
    assert in_dc.titles() == ["辽宁　地方志"]


# -- CQL on the catalogue search ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("dc.title = 辽宁", ["辽宁地方志研究", "遼寧省志", "辽宁　地方志"]),  # simplified finds traditional too
        ("dc.title = 遼寧", ["辽宁地方志研究", "遼寧省志", "辽宁　地方志"]),
        ("dc.title = liaoning", ["辽宁地方志研究", "遼寧省志", "辽宁　地方志"]),  # pinyin
        ('dc.title all "辽宁 研究"', ["辽宁地方志研究", "辽宁　地方志"]),  # 编纂研究 is the CNMARC one's other title
        ('dc.title any "城市 辽宁省"', ["沈阳城市史", "遼寧省志"]),
        ('dc.title adj "地方志研究"', ["辽宁地方志研究"]),
        ("title = 沈阳", ["沈阳城市史"]),  # dc is the default context set
        ("dc.creator = 王五", ["辽宁地方志研究"]),
        ("dc.creator = zhangsan", ["沈阳城市史", "辽宁　地方志"]),
        ("dc.subject = 地方志", ["辽宁　地方志"]),
        ("dc.publisher = 辽宁人民出版社", ["辽宁地方志研究", "沈阳城市史", "遼寧省志", "辽宁　地方志"]),
        ("bath.isbn = 978-7-205-08888-0", ["沈阳城市史"]),
        ("bath.isbn = 7-02-000220-X", ["辽宁　地方志"]),  # ISBN-10 of the CNMARC record
        ("dc.identifier = 9787205077778", ["遼寧省志"]),
        ("cql.anywhere = 李四", ["遼寧省志"]),
        ("cql.serverChoice = 城市", ["沈阳城市史"]),
        ("城市", ["沈阳城市史"]),
        ("9787205012342", ["辽宁地方志研究"]),  # a bare ISBN, as in the OPAC
        ("dc.date = 2015", ["沈阳城市史"]),
        ("dc.date < 2015", ["遼寧省志"]),
        ("dc.date >= 2015", ["辽宁地方志研究", "沈阳城市史", "辽宁　地方志"]),
        ("cql.allRecords = 1", ["辽宁地方志研究", "沈阳城市史", "遼寧省志", "辽宁　地方志"]),
    ],
)
def test_indexes_and_relations_run_on_the_catalogue_search(client: Client, catalogue: Catalogue, cql, expected):
    answer = ask(client, query=cql, recordSchema="dc")

    assert answer.diagnostics == []
    assert (answer.count, answer.titles()) == (len(expected), expected)


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("dc.title == 辽宁地方志研究", ["辽宁地方志研究"]),
        ("dc.title == 辽宁", []),  # the whole title, not a word of it
        ("dc.title exact 沈阳城市史", ["沈阳城市史"]),  # CQL 1.1's name for ==
        ("dc.creator == 张三", ["沈阳城市史", "辽宁　地方志"]),
        ("dc.creator == 张", []),
        ('dc.subject == "地方志--研究--辽宁"', ["辽宁　地方志"]),
        ("dc.subject == 地方志", []),  # the whole heading, not its first part
        ("dc.publisher == 辽宁人民出版社", ["辽宁地方志研究", "沈阳城市史", "遼寧省志", "辽宁　地方志"]),
        ("cql.anywhere == 李四", ["遼寧省志"]),
    ],
)
def test_exact_compares_the_whole_value(client: Client, catalogue: Catalogue, cql, expected):
    answer = ask(client, query=cql, recordSchema="dc")

    assert answer.diagnostics == []
    assert answer.titles() == expected


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("dc.title = 辽宁 and dc.creator = 王五", ["辽宁地方志研究"]),
        ("dc.title = 沈阳 or dc.creator = 李四", ["沈阳城市史", "遼寧省志"]),
        ("dc.title = 辽宁 not dc.creator = 王五", ["遼寧省志", "辽宁　地方志"]),
        ("dc.title = 辽宁 NOT dc.date = 2001", ["辽宁地方志研究", "辽宁　地方志"]),
        ("(dc.title = 辽宁 not dc.creator = 王五) or dc.title = 沈阳", ["沈阳城市史", "遼寧省志", "辽宁　地方志"]),
        ('dc.title adj "城市史" or dc.title == 遼寧省志', ["沈阳城市史", "遼寧省志"]),
        ("dc.creator == 张三 and dc.date = 2015", ["沈阳城市史"]),
        ("cql.allRecords = 1 not dc.title = 辽宁", ["沈阳城市史"]),
        ("dc.title = 辽宁 and (dc.creator = 王五 or dc.creator = 李四)", ["辽宁地方志研究", "遼寧省志"]),
    ],
)
def test_and_or_not_and_parentheses(client: Client, catalogue: Catalogue, cql, expected):
    answer = ask(client, query=cql, recordSchema="dc")

    assert answer.diagnostics == []
    assert answer.titles() == expected


@pytest.mark.parametrize(
    ("cql", "expected"),
    [
        ("dc.title = 沈*", ["沈阳城市史"]),
        ("dc.title = shen*", ["沈阳城市史"]),
        ("dc.creator = wang*", ["辽宁地方志研究"]),
        ('dc.title = "辽宁 地方*"', ["辽宁地方志研究", "辽宁　地方志"]),
        (r'dc.title = "沈阳\*"', ["沈阳城市史"]),  # an escaped * is a character, not a mask
    ],
)
def test_a_word_may_end_in_a_mask(client: Client, catalogue: Catalogue, cql, expected):
    answer = ask(client, query=cql, recordSchema="dc")

    assert answer.diagnostics == []
    assert answer.titles() == expected


# -- paging -----------------------------------------------------------------------------------------------------


def test_start_record_and_maximum_records_page_through_the_hits(client: Client, catalogue: Catalogue):
    first = ask(client, query="cql.allRecords=1", recordSchema="dc", maximumRecords="3")
    second = ask(client, query="cql.allRecords=1", recordSchema="dc", maximumRecords="3", startRecord="4")
    count_only = ask(client, query="cql.allRecords=1", maximumRecords="0")

    assert (first.count, first.titles(), first.text("S:nextRecordPosition")) == (
        4,
        ["辽宁地方志研究", "沈阳城市史", "遼寧省志"],
        "4",
    )
    positions = [node.text for node in second.all("S:records/S:record/S:recordPosition")]
    assert (second.titles(), positions, second.all("S:nextRecordPosition")) == (["辽宁　地方志"], ["4"], [])
    assert (count_only.count, count_only.records(), count_only.text("S:nextRecordPosition")) == (4, [], None)


def test_maximum_records_is_capped_by_the_setting(client: Client, catalogue: Catalogue, settings):
    settings.SHELFMARK_SRU_MAXIMUM_RECORDS = 2

    answer = ask(client, query="cql.allRecords=1", recordSchema="dc", maximumRecords="50")

    assert (answer.count, len(answer.records()), answer.text("S:nextRecordPosition")) == (4, 2, "3")


def test_no_hit_is_zero_records_and_no_diagnostic(client: Client, catalogue: Catalogue):
    answer = ask(client, query="dc.title = 上海")

    assert (answer.count, answer.records(), answer.diagnostics) == (0, [], [])


def test_post_answers_as_get_does(client: Client, catalogue: Catalogue):
    by_post = ask(client, "post", query="dc.creator = 王五", recordSchema="dc")

    assert by_post.titles() == ["辽宁地方志研究"]


# -- diagnostics ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "diagnostic"),
    [
        ({"query": "dc.title = "}, ("10", "Syntex error: EOF / no symbols left!")),  # the parser's own words
        ({"query": "(dc.title = 辽宁"}, ("10", "Missing closing parenthesis at position 15.")),
        ({"query": 'dc.title = "辽宁'}, None),
        ({"query": 'dc.title = ""'}, ("27", "dc.title")),
        ({"query": "dc.shelf = 辽宁"}, ("16", "dc.shelf")),
        ({"query": "marc.245 = 辽宁"}, ("15", "marc")),
        ({"query": '> x = "info:example/unknown-set" x.title = 辽宁'}, ("15", "info:example/unknown-set")),
        ({"query": "dc.title <> 辽宁"}, ("19", "<>")),
        ({"query": "dc.title within 辽宁"}, ("19", "within")),
        ({"query": "dc.title < 辽宁"}, ("22", "dc.title <")),
        ({"query": "dc.title =/stem 辽宁"}, ("20", "stem")),
        ({"query": "dc.title = 辽宁 and/rel.algorithm=cori dc.title = 沈阳"}, ("46", "/rel.algorithm=cori")),
        ({"query": "dc.title = 辽宁 prox dc.title = 沈阳"}, ("39", "prox")),
        ({"query": "dc.title = 辽宁 sortby dc.date"}, ("80", "dc.date")),
        ({"query": "dc.title = 辽?宁"}, ("28", "辽?宁")),
        ({"query": "dc.title = *宁"}, ("28", "*宁")),
        ({"query": "dc.title == 辽宁*"}, ("28", "辽宁*")),
        ({"query": "dc.title = ^辽宁"}, ("31", "^辽宁")),
        ({"query": "dc.date = 二〇一九"}, ("36", "dc.date 二〇一九")),
        ({"query": "辽宁", "startRecord": "0"}, ("6", "startRecord")),
        ({"query": "辽宁", "maximumRecords": "-1"}, ("6", "maximumRecords")),
        ({"query": "辽宁", "maximumRecords": "ten"}, ("6", "maximumRecords")),
        ({"query": "辽宁", "startRecord": "9"}, ("61", "9")),
        ({"query": "辽宁", "recordSchema": "mods"}, ("66", "mods")),
        ({"query": "辽宁", "recordXMLEscaping": "json"}, ("71", "json")),
        ({"query": "辽宁", "recordPacking": "unpacked"}, ("71", "unpacked")),
        ({"query": "辽宁", "queryType": "solr"}, ("6", "queryType")),
        ({"query": "辽宁", "httpAccept": "application/json"}, ("6", "httpAccept")),
        ({"query": "辽宁", "shelf": "1"}, ("8", "shelf")),
        ({"query": "辽宁", "stylesheet": "http://example.org/s.xsl"}, ("110", "http://example.org/s.xsl")),
        ({"query": "辽宁", "sortKeys": "title"}, ("80", "title")),
        ({"operation": "searchRetrieve"}, ("7", "query")),
        ({"operation": "scan", "scanClause": "dc.title=辽"}, ("4", "scan")),
    ],
)
def test_what_the_server_cannot_do_is_a_diagnostic(client: Client, catalogue: Catalogue, params, diagnostic):
    answer = ask(client, **params)

    if diagnostic is None:  # an unterminated quote: the lexer names the character
        assert [number for number, _ in answer.diagnostics] == ["10"]
        return
    assert answer.diagnostics == [diagnostic]
    assert answer.records() == []


def test_diagnostics_in_1_2_use_the_srw_diagnostic_namespace(client: Client, catalogue: Catalogue):
    answer = ask(client, version="1.2", operation="searchRetrieve", query="dc.shelf = 辽宁")

    assert answer.document.tag == f"{{{NS['zs']}}}searchRetrieveResponse"
    assert (answer.count, answer.diagnostics) == (0, [("16", "dc.shelf")])


def test_an_unknown_version_is_answered_in_2_0(client: Client):
    answer = ask(client, version="3.0", query="辽宁")

    assert answer.text("S:version") == "2.0"
    assert answer.diagnostics == [("5", "2.0")]


def test_too_many_candidates_for_an_exact_name_is_a_diagnostic(client: Client, catalogue: Catalogue, monkeypatch):
    monkeypatch.setattr(query, "EXACT_CANDIDATES", 1)
    from shelfmark.protocols.sru import search

    monkeypatch.setattr(search, "EXACT_CANDIDATES", 1)

    answer = ask(client, query="dc.creator == 张三")

    assert [number for number, _ in answer.diagnostics] == ["60"]


def test_a_page_of_marcxml_costs_a_fixed_number_of_queries(
    client: Client, catalogue: Catalogue, django_assert_num_queries
):
    # count, page ids, records, copies; PostgreSQL adds the search's planner settings: a savepoint, SET LOCAL,
    # setting them back inside the test's transaction, and the savepoint's release
    with django_assert_num_queries(4 if connection.vendor == "sqlite" else 8):
        answer = ask(client, query="dc.publisher = 辽宁人民出版社", maximumRecords="3")

    assert (answer.count, len(answer.records())) == (4, 3)


def test_diagnostic_messages_read_in_chinese_by_default_and_in_english_when_chosen(client: Client, settings):
    # (the override puts the thread's language back: the middleware leaves the chosen one active after a response)
    with translation.override(settings.LANGUAGE_CODE):
        chinese = ask(client, query="dc.shelf = 辽宁")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = ask(client, query="dc.shelf = 辽宁")

    assert chinese.text("S:diagnostics/diag:diagnostic/diag:message") == "不支持的检索点"
    assert english.text("S:diagnostics/diag:diagnostic/diag:message") == "Unsupported index"
