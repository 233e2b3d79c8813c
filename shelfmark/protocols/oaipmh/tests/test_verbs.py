"""The six verbs and every error code that applies, through Django's test client; every response validates against
the official OAI-PMH schema with its oai_dc and MARCXML metadata (see conftest.Oai)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.utils import translation

from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import DeletedRecord, Record
from shelfmark.holdings import services as holdings
from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.tests.factories import make_item

from .conftest import NS, OLD, REPOSITORY_ID, Catalogue, Oai, backdate, errors, identifiers, oai_id, one, read, token

pytestmark = pytest.mark.django_db


# -- Identify -------------------------------------------------------------------------------------------------


def test_identify_describes_the_repository(oai: Oai, catalogue: Catalogue, settings):
    settings.SHELFMARK_OAI_REPOSITORY_NAME = "辽宁省公共图书馆联盟"
    settings.SHELFMARK_OAI_ADMIN_EMAIL = "oai@lnlib.example.org"

    document = oai.get(verb="Identify")

    identify = document.find("oai:Identify", NS)
    assert [(child.tag.split("}")[1], child.text) for child in identify][:7] == [
        ("repositoryName", "辽宁省公共图书馆联盟"),
        ("baseURL", "http://testserver/oai"),
        ("protocolVersion", "2.0"),
        ("adminEmail", "oai@lnlib.example.org"),
        ("earliestDatestamp", "2025-01-10T08:00:00Z"),
        ("deletedRecord", "persistent"),
        ("granularity", "YYYY-MM-DDThh:mm:ssZ"),
    ]
    described = identify.find("oai:description/{http://www.openarchives.org/OAI/2.0/oai-identifier}oai-identifier", NS)
    assert [child.text for child in described] == ["oai", REPOSITORY_ID, ":", f"oai:{REPOSITORY_ID}:1"]
    assert one(document, "oai:request").attrib == {"verb": "Identify"}


def test_identify_takes_no_arguments(oai: Oai):
    document = oai.get(verb="Identify", metadataPrefix="oai_dc")

    assert errors(document) == ["badArgument"]
    assert one(document, "oai:request").attrib == {}


# -- ListMetadataFormats --------------------------------------------------------------------------------------


def test_list_metadata_formats_for_the_repository_and_for_one_record(oai: Oai, catalogue: Catalogue):
    every = oai.get(verb="ListMetadataFormats")
    marc21 = oai.get(verb="ListMetadataFormats", identifier=oai_id(catalogue.county_book.pk))
    cnmarc = oai.get(verb="ListMetadataFormats", identifier=oai_id(catalogue.cnmarc_record.pk))
    deleted = oai.get(verb="ListMetadataFormats", identifier=oai_id(catalogue.deleted_id))

    def prefixes(document):
        return [node.text for node in document.iterfind(".//oai:metadataPrefix", NS)]

    assert prefixes(every) == ["oai_dc", "marc21", "cnmarc"]
    assert prefixes(marc21) == ["oai_dc", "marc21"]
    assert prefixes(cnmarc) == ["oai_dc", "cnmarc"]
    assert prefixes(deleted) == ["oai_dc", "marc21"]
    namespaces = [node.text for node in every.iterfind(".//oai:metadataNamespace", NS)]
    assert namespaces == [
        "http://www.openarchives.org/OAI/2.0/oai_dc/",
        "http://www.loc.gov/MARC21/slim",
        "http://www.loc.gov/MARC21/slim",
    ]


@pytest.mark.parametrize("value", ["oai:lib.example.org:999999", "oai:other.example.org:1", "oai:lib.example.org:x1"])
def test_list_metadata_formats_of_an_unknown_identifier(oai: Oai, catalogue: Catalogue, value: str):
    document = oai.get(verb="ListMetadataFormats", identifier=value)

    assert errors(document) == ["idDoesNotExist"]
    assert one(document, "oai:request").attrib == {"verb": "ListMetadataFormats", "identifier": value}


# -- ListSets -------------------------------------------------------------------------------------------------


def test_list_sets_names_the_types_and_the_library_tree(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="ListSets")

    sets = {
        s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS)
        for s in document.iterfind(".//oai:set", NS)
    }
    assert sets["type"] == "按资源类型"
    assert sets["type:print"] == "纸本图书"
    assert sets["library"] == "按所属馆"
    assert sets["library:LN"] == "辽宁省图书馆"
    assert sets["library:LN:LN-SY:LN-SY-KP:LN-SY-KP-01"] == "康平镇分馆"
    assert len([spec for spec in sets if spec.startswith("library:")]) == 6
    assert len([spec for spec in sets if spec.startswith("type:")]) == 7


def test_list_sets_hands_out_no_resumption_token(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="ListSets", resumptionToken="anything")

    assert errors(document) == ["badResumptionToken"]


# -- GetRecord ------------------------------------------------------------------------------------------------


def test_get_record_in_marc21_carries_the_record_and_its_copies(oai: Oai, catalogue: Catalogue):
    book = catalogue.county_book

    document = oai.get(verb="GetRecord", identifier=oai_id(book.pk), metadataPrefix="marc21")

    header = document.find(".//oai:header", NS)
    assert header.get("status") is None
    assert header.findtext("oai:identifier", namespaces=NS) == oai_id(book.pk)
    assert header.findtext("oai:datestamp", namespaces=NS) == "2025-01-10T08:00:00Z"
    assert [node.text for node in header.iterfind("oai:setSpec", NS)] == [
        "type:print",
        "library:LN:LN-SY:LN-SY-KP",
        "library:LN:LN-SY:LN-SY-KP:LN-SY-KP-01",
    ]
    marc = document.find(".//oai:metadata/marc:record", NS)
    assert marc.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", namespaces=NS) == "辽宁地方志研究"
    copies = [{s.get("code"): s.text for s in field} for field in marc.iterfind("marc:datafield[@tag='852']", NS)]
    assert [copy["a"] for copy in copies] == ["LN-SY-KP", "LN-SY-KP-01"]
    assert (copies[0]["c"], copies[0]["h"]) == ("地方文献室", "K293.1/12")


def test_get_record_in_oai_dc_links_the_opac_page(oai: Oai, catalogue: Catalogue):
    book = catalogue.other_county_book

    document = oai.get(verb="GetRecord", identifier=oai_id(book.pk), metadataPrefix="oai_dc")

    dc = document.find(".//oai:metadata/{http://www.openarchives.org/OAI/2.0/oai_dc/}dc", NS)
    assert dc.findtext("dc:title", namespaces=NS) == "法库县志"
    assert [node.text for node in dc.iterfind("dc:identifier", NS)] == [
        "urn:isbn:9787205099992",
        f"http://testserver/records/{book.pk}/",
    ]


def test_get_record_of_a_cnmarc_record_in_cnmarc(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="GetRecord", identifier=oai_id(catalogue.cnmarc_record.pk), metadataPrefix="cnmarc")

    marc = document.find(".//oai:metadata/marc:record", NS)
    assert marc.findtext("marc:leader", namespaces=NS) == "00000nam0a2200000   4500"
    assert marc.findtext("marc:datafield[@tag='200']/marc:subfield[@code='a']", namespaces=NS) == "辽宁　地方志"


def test_get_record_of_a_deleted_record_says_deleted(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="GetRecord", identifier=oai_id(catalogue.deleted_id), metadataPrefix="oai_dc")

    record = document.find(".//oai:record", NS)
    assert one(record, "oai:header").get("status") == "deleted"
    assert record.findtext("oai:header/oai:datestamp", namespaces=NS) == "2025-02-01T09:30:00Z"
    assert record.find("oai:metadata", NS) is None


@pytest.mark.parametrize(
    ("prefix", "which"), [("cnmarc", "county_book"), ("marc21", "cnmarc_record"), ("mods", "county_book")]
)
def test_get_record_in_a_format_the_record_is_not_in(oai: Oai, catalogue: Catalogue, prefix: str, which: str):
    record = getattr(catalogue, which)

    document = oai.get(verb="GetRecord", identifier=oai_id(record.pk), metadataPrefix=prefix)

    assert errors(document) == ["cannotDisseminateFormat"]
    assert one(document, "oai:request").attrib == {
        "verb": "GetRecord",
        "identifier": oai_id(record.pk),
        "metadataPrefix": prefix,
    }


def test_get_record_of_an_unknown_identifier(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="GetRecord", identifier=oai_id(catalogue.deleted_id + 100), metadataPrefix="oai_dc")

    assert errors(document) == ["idDoesNotExist"]


@pytest.mark.parametrize(
    "params",
    [
        {"identifier": "oai:lib.example.org:1"},
        {"metadataPrefix": "oai_dc"},
        {"identifier": "oai:lib.example.org:1", "metadataPrefix": "oai_dc", "set": "type"},
    ],
)
def test_get_record_with_missing_or_extra_arguments(oai: Oai, params):
    document = oai.get(verb="GetRecord", **params)

    assert errors(document) == ["badArgument"]
    assert one(document, "oai:request").attrib == {}


# -- ListIdentifiers and ListRecords --------------------------------------------------------------------------


def test_list_records_in_oai_dc_holds_every_record_and_the_deleted_one_in_id_order(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="ListRecords", metadataPrefix="oai_dc")

    expected = sorted([record.pk for record in catalogue.live] + [catalogue.deleted_id])
    assert identifiers(document) == [oai_id(pk) for pk in expected]
    deleted = document.findall(".//oai:header[@status='deleted']", NS)
    assert [node.findtext("oai:identifier", namespaces=NS) for node in deleted] == [oai_id(catalogue.deleted_id)]
    assert document.find(".//oai:resumptionToken", NS) is None


def test_list_records_in_marc21_and_cnmarc_splits_the_catalogue_by_format(oai: Oai, catalogue: Catalogue):
    marc21 = oai.get(verb="ListRecords", metadataPrefix="marc21")
    cnmarc = oai.get(verb="ListIdentifiers", metadataPrefix="cnmarc")

    books = [catalogue.county_book, catalogue.other_county_book, catalogue.unheld_book]
    assert identifiers(marc21) == [oai_id(pk) for pk in sorted([b.pk for b in books] + [catalogue.deleted_id])]
    assert len(marc21.findall(".//oai:metadata/marc:record", NS)) == 3
    assert identifiers(cnmarc) == [oai_id(catalogue.cnmarc_record.pk)]


def test_a_long_list_comes_in_pages_with_signed_tokens(oai: Oai, catalogue: Catalogue, settings):
    settings.SHELFMARK_OAI_PAGE_SIZE = 2
    expected = [oai_id(pk) for pk in sorted([record.pk for record in catalogue.live] + [catalogue.deleted_id])]

    first = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")
    first_token = token(first)
    second = oai.get(verb="ListIdentifiers", resumptionToken=first_token.text)
    second_token = token(second)
    third = oai.get(verb="ListIdentifiers", resumptionToken=second_token.text)
    last_token = token(third)

    assert identifiers(first) + identifiers(second) + identifiers(third) == expected
    assert [(t.get("cursor"), t.get("completeListSize")) for t in (first_token, second_token, last_token)] == [
        ("0", "5"),
        ("2", "5"),
        ("4", "5"),
    ]
    assert first_token.get("expirationDate") is not None
    assert (last_token.text, last_token.get("expirationDate")) == (None, None)
    assert one(third, "oai:request").attrib == {"verb": "ListIdentifiers", "resumptionToken": second_token.text}


def test_a_forged_token_is_refused(oai: Oai, catalogue: Catalogue, settings):
    settings.SHELFMARK_OAI_PAGE_SIZE = 2
    issued = token(oai.get(verb="ListRecords", metadataPrefix="oai_dc")).text
    forged = issued[:-3] + ("AAA" if not issued.endswith("AAA") else "BBB")

    document = oai.get(verb="ListRecords", resumptionToken=forged)

    assert errors(document) == ["badResumptionToken"]
    assert identifiers(document) == []


def test_a_token_from_another_installation_is_refused(oai: Oai, catalogue: Catalogue, settings):
    settings.SHELFMARK_OAI_PAGE_SIZE = 2
    issued = token(oai.get(verb="ListRecords", metadataPrefix="oai_dc")).text
    settings.SECRET_KEY = "another installation's secret key, fifty characters long"

    document = oai.get(verb="ListRecords", resumptionToken=issued)

    assert errors(document) == ["badResumptionToken"]


def test_an_expired_token_is_refused(oai: Oai, catalogue: Catalogue, settings):
    from django.utils import timezone

    from shelfmark.protocols.oaipmh import tokens

    state = tokens.ListState("ListRecords", "oai_dc", None, None, None, after=0, cursor=0, size=5)
    expired, _ = tokens.encode(state, now=timezone.now() - tokens.lifetime() - timedelta(seconds=1))
    fresh, _ = tokens.encode(state, now=timezone.now())

    assert errors(oai.get(verb="ListRecords", resumptionToken=expired)) == ["badResumptionToken"]
    assert errors(oai.get(verb="ListRecords", resumptionToken=fresh)) == []


def test_a_token_serves_only_its_own_verb(oai: Oai, catalogue: Catalogue, settings):
    settings.SHELFMARK_OAI_PAGE_SIZE = 2
    issued = token(oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")).text

    document = oai.get(verb="ListRecords", resumptionToken=issued)

    assert errors(document) == ["badResumptionToken"]


def test_a_token_goes_alone(oai: Oai, catalogue: Catalogue, settings):
    settings.SHELFMARK_OAI_PAGE_SIZE = 2
    issued = token(oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc")).text

    document = oai.get(verb="ListIdentifiers", resumptionToken=issued, metadataPrefix="oai_dc")

    assert errors(document) == ["badArgument"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("library", ["county_book", "other_county_book"]),
        ("library:LN", ["county_book", "other_county_book"]),
        ("library:LN:LN-SY:LN-SY-KP", ["county_book"]),
        ("library:LN:LN-SY:LN-SY-KP:LN-SY-KP-01", ["county_book"]),
        ("library:LN:LN-SY:LN-SY-FK", ["other_county_book"]),
        ("type:print", ["county_book", "other_county_book", "unheld_book", "cnmarc_record", "deleted"]),
        ("type", ["county_book", "other_county_book", "unheld_book", "cnmarc_record", "deleted"]),
    ],
)
def test_sets_select_by_holding_library_subtree_and_by_type(oai: Oai, catalogue: Catalogue, spec, expected):
    document = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)

    ids = [catalogue.deleted_id if name == "deleted" else getattr(catalogue, name).pk for name in expected]
    assert identifiers(document) == [oai_id(pk) for pk in sorted(ids)]


@pytest.mark.parametrize("spec", ["library:LN-SY", "library:LN:XX", "type:map", "shelf"])
def test_a_set_that_does_not_exist_matches_no_record(oai: Oai, catalogue: Catalogue, spec):
    document = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", set=spec)

    assert errors(document) == ["noRecordsMatch"]


def test_a_set_spec_with_characters_a_set_cannot_have_is_a_bad_argument(oai: Oai):
    document = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:辽宁")

    assert errors(document) == ["badArgument"]


def test_from_and_until_select_by_datestamp_at_both_granularities(oai: Oai, catalogue: Catalogue):
    # given one record changed later than the others, on 2025-03-05 at 12:00:00
    later = OLD.replace(month=3, day=5, hour=12)
    backdate([catalogue.unheld_book], later)

    def listed(**bounds):
        return identifiers(oai.get(verb="ListIdentifiers", metadataPrefix="marc21", **bounds))

    everything = sorted([catalogue.county_book.pk, catalogue.other_county_book.pk, catalogue.unheld_book.pk])
    assert listed(**{"from": "2025-03-05"}) == [oai_id(catalogue.unheld_book.pk)]
    assert listed(**{"from": "2025-03-05T12:00:00Z"}) == [oai_id(catalogue.unheld_book.pk)]
    assert errors(oai.get(verb="ListIdentifiers", metadataPrefix="marc21", **{"from": "2025-03-05T12:00:01Z"})) == [
        "noRecordsMatch"
    ]
    before = sorted([catalogue.county_book.pk, catalogue.other_county_book.pk, catalogue.deleted_id])
    assert listed(until="2025-03-05T11:59:59Z") == [oai_id(pk) for pk in before]
    assert listed(until="2025-03-05") == [oai_id(pk) for pk in sorted([*everything, catalogue.deleted_id])]
    assert listed(**{"from": "2025-02-01", "until": "2025-02-01"}) == [oai_id(catalogue.deleted_id)]


@pytest.mark.parametrize(
    "bounds",
    [
        {"from": "2025-13-01"},
        {"until": "2025-01-01T10:00Z"},
        {"from": "2025/01/01"},
        {"from": "2025-01-01T00:00:00.5Z"},
        {"from": "2025-01-01", "until": "2025-02-01T00:00:00Z"},
        {"from": "2025-02-02", "until": "2025-02-01"},
    ],
)
def test_malformed_or_mismatched_dates_are_bad_arguments(oai: Oai, bounds):
    document = oai.get(verb="ListRecords", metadataPrefix="oai_dc", **bounds)

    assert errors(document) == ["badArgument"]
    assert one(document, "oai:request").attrib == {}


def test_an_unknown_prefix_cannot_be_disseminated(oai: Oai, catalogue: Catalogue):
    document = oai.get(verb="ListRecords", metadataPrefix="mods")

    assert errors(document) == ["cannotDisseminateFormat"]


def test_an_empty_catalogue_matches_no_record(oai: Oai):
    document = oai.get(verb="ListRecords", metadataPrefix="oai_dc")

    assert errors(document) == ["noRecordsMatch"]


def test_a_new_copy_gives_the_record_a_new_datestamp_and_a_new_set(oai: Oai, catalogue: Catalogue):
    # given the unheld book, and a harvest up to now
    since = "2025-06-01T00:00:00Z"
    assert errors(oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})) == ["noRecordsMatch"]

    # when the other county receives a copy of it
    make_item(catalogue.unheld_book, library=catalogue.net.other_county)

    # then a harvest from then on sees the record again, in the other county's set
    document = oai.get(
        verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:LN:LN-SY:LN-SY-FK", **{"from": since}
    )
    assert identifiers(document) == [oai_id(catalogue.unheld_book.pk)]
    assert document.findtext(".//oai:datestamp", namespaces=NS) > since


def test_a_withdrawn_copy_moves_the_datestamp_and_leaves_the_holdings(oai: Oai, catalogue: Catalogue):
    # given the other county's book with one copy
    book = catalogue.other_county_book
    copy = book.items.get()
    since = "2025-06-01T00:00:00Z"

    # when the copy is withdrawn
    holdings.withdraw(item=copy, actor=None, reason="破损剔旧")

    # then the record comes again, without the copy in its MARC but still in the library's set
    document = oai.get(verb="ListRecords", metadataPrefix="marc21", **{"from": since})
    assert identifiers(document) == [oai_id(book.pk)]
    assert copy.__class__.objects.get(pk=copy.pk).status == ItemStatus.WITHDRAWN
    assert document.find(".//marc:datafield[@tag='852']", NS) is None
    assert "library:LN:LN-SY:LN-SY-FK" in [node.text for node in document.iterfind(".//oai:setSpec", NS)]


def test_an_updated_record_and_a_deletion_are_seen_incrementally(oai: Oai, catalogue: Catalogue):
    since = "2025-06-01T00:00:00Z"
    book = catalogue.unheld_book

    catalog.update_record(record=book, marc=book.marc, actor=None)
    catalog.delete_record(record=catalogue.cnmarc_record, actor=None)

    document = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", **{"from": since})
    assert identifiers(document) == [oai_id(book.pk), oai_id(catalogue.cnmarc_record.pk)]
    assert [h.get("status") for h in document.iterfind(".//oai:header", NS)] == [None, "deleted"]
    assert DeletedRecord.objects.count() == 2


def test_a_held_record_is_not_deleted_so_deleted_records_are_in_no_library_set(oai: Oai, catalogue: Catalogue):
    # given the county's book, with copies
    book = catalogue.county_book

    # when deleting it is tried, then its copies protect it
    with pytest.raises(ProtectedError):
        catalog.delete_record(record=book, actor=None)

    # and nothing changed: it is still harvested as a live record in its libraries' sets
    assert DeletedRecord.objects.filter(record_id=book.pk).count() == 0
    document = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", set="library:LN:LN-SY:LN-SY-KP")
    assert identifiers(document) == [oai_id(book.pk)]
    assert [h.get("status") for h in document.iterfind(".//oai:header", NS)] == [None]


@pytest.mark.parametrize(("prefix", "listed"), [("marc21", 4), ("oai_dc", 5)])
def test_a_page_of_records_costs_a_fixed_number_of_queries(
    oai: Oai, catalogue: Catalogue, django_assert_num_queries, prefix, listed
):
    # libraries, records, deleted records, copies of the page's records; none while the response streams
    with django_assert_num_queries(4):
        document = oai.get(verb="ListRecords", metadataPrefix=prefix)

    assert len(identifiers(document)) == listed


# -- request errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "verb=Harvest", "verb=Identify&verb=Identify", "verb=identify"])
def test_a_missing_unknown_or_repeated_verb_is_a_bad_verb(client: Client, query: str):
    response = client.get(f"/oai?{query}")

    document = read(response)
    assert errors(document) == ["badVerb"]
    assert one(document, "oai:request").attrib == {}
    assert document.findtext("oai:request", namespaces=NS) == "http://testserver/oai"


@pytest.mark.parametrize(
    "query",
    [
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=marc21",
        "verb=ListRecords&metadataPrefix=oai_dc&shelf=1",
        "verb=ListRecords&metadataPrefix=",
        "verb=ListIdentifiers",
    ],
)
def test_repeated_unknown_empty_or_missing_arguments_are_bad_arguments(client: Client, query: str):
    response = client.get(f"/oai?{query}")

    assert errors(read(response)) == ["badArgument"]


def test_post_answers_as_get_does(oai: Oai, catalogue: Catalogue):
    by_get = oai.get(verb="ListIdentifiers", metadataPrefix="oai_dc", set="library")
    by_post = oai.post(verb="ListIdentifiers", metadataPrefix="oai_dc", set="library")

    assert identifiers(by_post) == identifiers(by_get) != []
    assert one(by_post, "oai:request").attrib == {
        "verb": "ListIdentifiers",
        "metadataPrefix": "oai_dc",
        "set": "library",
    }


def test_other_methods_are_not_allowed(client: Client):
    response = client.put("/oai?verb=Identify")

    assert response.status_code == 405
    assert Record.objects.count() == 0


def test_errors_read_in_chinese_by_default_and_in_english_when_chosen(client: Client, settings):
    # (the override puts the thread's language back: the middleware leaves the chosen one active after a response)
    with translation.override(settings.LANGUAGE_CODE):
        chinese = read(client.get("/oai"))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        english = read(client.get("/oai", {"verb": "ListRecords"}))

    assert chinese.findtext("oai:error", namespaces=NS) == "缺少 verb 参数。"
    assert (
        english.findtext("oai:error", namespaces=NS) == "ListRecords is missing the required argument metadataPrefix."
    )
