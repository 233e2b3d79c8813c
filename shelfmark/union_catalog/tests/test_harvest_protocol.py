"""Harvesting a vendor's provider over HTTP: 503 with Retry-After, backoff, broken records rejected with their
reasons while the rest land, holdings from 852/876 and 905, day granularity, and OAI-PMH errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shelfmark.union_catalog import harvesting, oai
from shelfmark.union_catalog.errors import HarvestFailed
from shelfmark.union_catalog.models import HarvestRun, SourceHolding, SourceRecord

from .conftest import Sleeps, oai_source
from .member_system import Answer, list_records, marcxml, oai_error, record_xml, serving
from .records import cnmarc, field, marc21

pytestmark = pytest.mark.django_db

GOOD = marc21(
    "辽宁通史",
    control_number="m-1",
    author="张三",
    publisher="辽宁人民出版社",
    year=2019,
    isbn="9787205012342",
    holdings=[
        field("852", ("8", "1"), ("a", "LN-SY"), ("c", "地方文献室"), ("h", "K293.1"), ("i", "5")),
        field("876", ("8", "1"), ("p", "SY000101")),
        field("876", ("8", "1"), ("p", "SY000102")),
    ],
)
CNMARC_WITH_905 = cnmarc(
    "沈阳故宫",
    control_number="m-2",
    statement="李四著",
    publisher="沈阳出版社",
    year=2018,
    holdings=[field("905", ("a", "LN-SY-KP"), ("b", "KP000777"), ("c", "书库"), ("d", "K928.74"), ("e", "31"))],
)
BROKEN = (
    '<record xmlns="http://www.loc.gov/MARC21/slim"><leader>00000nam a2200000 a 4500</leader>'
    '<controlfield tag="001">m-3</controlfield><datafield tag="2X" ind1="1" ind2="0"><subfield code="a">?</subfield>'
    "</datafield></record>"
)
UNTITLED = marc21("", control_number="m-4", author="王五", year=2001)
UNTITLED.remove_fields("245")


def page_one(token: str = "p2") -> str:
    return list_records(
        [
            record_xml("oai:member:1", "2025-03-01", marcxml(GOOD)),
            record_xml("oai:member:3", "2025-03-01", BROKEN),
            record_xml("oai:member:4", "2025-03-01", marcxml(UNTITLED)),
        ],
        token,
    )


def page_two() -> str:
    return list_records(
        [
            record_xml("oai:member:2", "2025-03-01", marcxml(CNMARC_WITH_905)),
            record_xml("oai:member:5", "2025-02-11", deleted=True),
        ],
        "",
    )


def harvester(url_source: object, sleeps: Sleeps, **options: object) -> oai.Harvester:
    return harvesting.make_harvester(url_source, sleep=sleeps, **options)  # type: ignore[arg-type]


def test_a_503_is_retried_after_its_retry_after_and_broken_records_are_rejected_with_reasons(net):
    # given a member system that is overloaded at first, then sends a page with a broken MARCXML record and one
    # without a title between good ones, and a second page with a deletion
    answers = [Answer(503, "busy", {"Retry-After": "3"}), Answer(body=page_one()), Answer(body=page_two())]
    with serving(answers) as system:
        source = oai_source(net, system.url, prefixes="marc21")
        sleeps = Sleeps()

        # when it is harvested
        run = harvesting.harvest(source=source, harvester=harvester(source, sleeps))

    # then the harvester waited the 3 seconds the server asked for, once, and went on
    assert sleeps == [3.0]
    assert (run.status, run.retries, run.pages) == (HarvestRun.Status.DONE, 1, 2)
    # and the good records landed while the two broken ones were rejected, each with its reason
    assert (run.read, run.new, run.deleted, run.rejected) == (5, 2, 1, 2)
    reasons = {reject["identifier"]: reject["reason"] for reject in run.rejects}
    assert reasons["oai:member:3"] == "MARCXML: datafield tag '2X' is not valid"
    assert "245 $a" in reasons["oai:member:4"]
    assert dict(SourceRecord.objects.filter(source=source).values_list("identifier", "deleted")) == {
        "oai:member:1": False,
        "oai:member:2": False,
        "oai:member:5": True,
    }
    # and the copies came from 852 + 876 (one per item) and from CNMARC's 905, with libraries we know
    copies = SourceHolding.objects.order_by("barcode").values_list(
        "source_record__identifier", "library_id", "barcode", "call_number", "location", "tag"
    )
    assert list(copies) == [
        ("oai:member:2", net.county.pk, "KP000777", "K928.74/31", "书库", "905"),
        ("oai:member:1", net.city.pk, "SY000101", "K293.1/5", "地方文献室", "876"),
        ("oai:member:1", net.city.pk, "SY000102", "K293.1/5", "地方文献室", "876"),
    ]
    # and the day-granular provider's list was asked without dates (a first harvest)
    assert next(q for q in system.queries if q["verb"] == ["ListRecords"]) == {
        "verb": ["ListRecords"],
        "metadataPrefix": ["marc21"],
    }


def test_without_retry_after_the_waits_double_and_a_day_granular_provider_gets_dates(net):
    # given a source harvested before, and a provider failing twice with no Retry-After before its page
    answers = [Answer(503, "busy"), Answer(502, "bad gateway"), Answer(body=page_two())]
    with serving(answers) as system:
        source = oai_source(net, system.url, prefixes="marc21")
        source.last_harvested = datetime(2025, 3, 1, 23, 30, tzinfo=UTC)
        source.save()
        sleeps = Sleeps()

        # when it is harvested incrementally with a two-second backoff
        run = harvesting.harvest(source=source, harvester=harvester(source, sleeps, backoff=2.0))

    # then it waited 2 s, then 4 s, and asked from the last harvest's day
    assert sleeps == [2.0, 4.0]
    assert (run.status, run.retries, run.new, run.deleted) == (HarvestRun.Status.DONE, 2, 1, 1)
    lists = [q for q in system.queries if q["verb"] == ["ListRecords"]]
    assert {q["from"][0] for q in lists} == {"2025-03-01"}


def test_a_provider_that_stays_down_fails_the_run_after_the_retries_and_keeps_it_resumable(net):
    # given a provider answering 503 to every list request
    answers = [Answer(503, "busy", {"Retry-After": "1"}) for _ in range(4)]
    with serving(answers) as system:
        source = oai_source(net, system.url, prefixes="marc21")
        sleeps = Sleeps()

        # when it is harvested with three retries
        with pytest.raises(HarvestFailed) as failure:
            harvesting.harvest(source=source, harvester=harvester(source, sleeps, retries=3))

    # then it waited three times and the run is left interrupted with nothing landed
    assert sleeps == [1.0, 1.0, 1.0]
    assert "HTTP 503" in failure.value.message
    run = HarvestRun.objects.get(source=source)
    assert (run.status, run.retries, run.read) == (HarvestRun.Status.INTERRUPTED, 3, 0)
    assert not SourceRecord.objects.exists()


def test_an_oai_pmh_error_fails_the_run_and_no_records_match_is_an_empty_harvest(net):
    # given a provider that cannot disseminate the asked format
    with serving([Answer(body=oai_error("cannotDisseminateFormat", "no marc21 here"))]) as system:
        source = oai_source(net, system.url, prefixes="marc21")
        with pytest.raises(HarvestFailed) as failure:
            harvesting.harvest(source=source, harvester=harvester(source, Sleeps()))
    assert "cannotDisseminateFormat" in failure.value.message
    assert HarvestRun.objects.get(source=source).status == HarvestRun.Status.FAILED

    # when a provider has nothing new since the last harvest
    with serving([Answer(body=oai_error("noRecordsMatch", "nothing changed"))]) as system:
        source.base_url = system.url
        source.last_harvested = datetime(2025, 3, 1, tzinfo=UTC)
        source.save()
        run = harvesting.harvest(source=source, harvester=harvester(source, Sleeps()))

    # then the run is done and empty, and the next harvest starts from the same moment again
    assert (run.status, run.read) == (HarvestRun.Status.DONE, 0)
    source.refresh_from_db()
    assert source.last_harvested == datetime(2025, 3, 1, tzinfo=UTC)


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert oai.retry_after("120") == 120.0
    assert oai.retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 30.0
    assert oai.retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now=now) == 0.0
    assert oai.retry_after("soon") is None
    assert oai.retry_after(None) is None
