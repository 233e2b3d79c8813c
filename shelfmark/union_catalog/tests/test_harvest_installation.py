"""The union catalogue harvests a second local installation's OAI-PMH provider (another Shelfmark with its own
database, served by gunicorn): fully, then incrementally, every record once, deletions seen, every response valid
against the OAI-PMH schema; an interrupted harvest resumes from its stored resumption token."""

from __future__ import annotations

import json
import math
from urllib.parse import parse_qs

import pytest

from shelfmark.catalog import services as catalog
from shelfmark.holdings.tests.factories import make_item
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Level
from shelfmark.union_catalog import clustering, harvesting, selectors
from shelfmark.union_catalog.errors import HarvestFailed
from shelfmark.union_catalog.models import ClusterMember, HarvestRun, Source, SourceHolding, SourceRecord

from .conftest import client, oai_source

pytestmark = pytest.mark.django_db

_CHANGE = """
import json
from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import Record
from shelfmark.holdings import services as holdings
from shelfmark.holdings.models import Item
from shelfmark.libraries.models import Library

held = set(Item.objects.values_list("record_id", flat=True))
free = [record for record in Record.objects.order_by("id") if record.pk not in held]
edited = free[:2]
for record in edited:
    marc = dict(record.marc)
    marc["fields"] = [*marc["fields"], {"591": {"ind1": " ", "ind2": " ", "subfields": [{"a": "corrected"}]}}]
    catalog.update_record(record=record, marc=marc, actor=None)
catalog.delete_record(record=free[2], actor=None)
holdings.create_item(record=free[3], home_library=Library.objects.get(code="DL-01"), actor=None, call_number="K29/1")
marc = dict(free[4].marc)
marc["fields"] = [{"001": "new-0001"}, *[f for f in marc["fields"] if "001" not in f]]
created = catalog.create_record(marc=marc, actor=None)
print(json.dumps({"edited": [r.pk for r in edited], "deleted": free[2].pk, "held": free[3].pk, "created": created.pk}))
"""


def identifiers(source: Source) -> dict[str, bool]:
    return dict(SourceRecord.objects.filter(source=source).values_list("identifier", "deleted"))


def test_harvests_a_second_installation_fully_then_only_its_changes(member, net):
    # given a member library whose system is another Shelfmark: 40 live records (MARC 21 and CNMARC, 12 with
    # copies at DL and DL-01) and one deleted, served 7 to a page; our network knows the code DL-01
    snapshot = member.snapshot()
    live, deleted = snapshot["live"], snapshot["deleted"]
    assert (len(live), len(deleted), snapshot["copies"]) == (40, 1, 12)
    ganjingzi = libraries.create_library(code="DL-01", name="甘井子分馆", level=Level.TOWNSHIP, parent=net.city)
    source = oai_source(net, member.url)
    harvester, responses, _ = client(source)

    # when the union catalogue harvests it for the first time
    first = harvesting.harvest(source=source, harvester=harvester)

    # then every record came once, the deletion as a tombstone, copies with their libraries, and every
    # response was valid
    assert (first.status, first.read, first.new, first.updated, first.deleted, first.rejected) == (
        HarvestRun.Status.DONE,
        41,
        40,
        0,
        1,
        0,
    )
    expected = {member.oai_id(pk): False for pk in live} | {member.oai_id(pk): True for pk in deleted}
    assert identifiers(source) == expected
    marc21 = sum(1 for fmt in [*live.values(), *deleted.values()] if fmt == "marc21")
    assert first.pages == math.ceil(marc21 / 7) + math.ceil((41 - marc21) / 7)
    assert len(responses.requests) == 1 + first.pages  # Identify, then each page once
    copies = SourceHolding.objects.filter(source_record__source=source)
    assert copies.count() == 12
    assert {copy.library_code for copy in copies} == {"DL", "DL-01"}
    assert {copy.library_id for copy in copies if copy.library_code == "DL-01"} == {ganjingzi.pk}
    assert {copy.library_id for copy in copies if copy.library_code == "DL"} == {None}
    assert all(copy.barcode and copy.call_number.startswith("I247.5/") for copy in copies)
    assert ClusterMember.objects.filter(source_record__source=source, active=True).count() == 40
    source.refresh_from_db()
    assert source.last_harvested == first.response_date

    # when the member edits two records, deletes one, shelves a copy of another and catalogues a new one
    changed = json.loads(member.python(_CHANGE).strip().splitlines()[-1])
    responses.requests.clear()
    second = harvesting.harvest(source=source, harvester=harvester)

    # then the incremental harvest asked from the first one's start and counted each change once
    lists = [parse_qs(query) for query in responses.list_requests() if "metadataPrefix" in query]
    assert [(q["metadataPrefix"], q["from"]) for q in lists] == [
        (["marc21"], [f"{first.response_date:%Y-%m-%dT%H:%M:%SZ}"]),
        (["cnmarc"], [f"{first.response_date:%Y-%m-%dT%H:%M:%SZ}"]),
    ]
    assert (second.read, second.new, second.updated, second.unchanged, second.deleted, second.rejected) == (
        5,
        1,
        3,
        0,
        1,
        0,
    )
    after = identifiers(source)
    assert len(after) == 42
    assert after[member.oai_id(changed["created"])] is False
    assert after[member.oai_id(changed["deleted"])] is True
    held = SourceRecord.objects.get(source=source, identifier=member.oai_id(changed["held"]))
    assert [(h.library_code, h.call_number) for h in held.holdings.all()] == [("DL-01", "K29/1")]
    edited = SourceRecord.objects.filter(source=source, identifier__in=[member.oai_id(pk) for pk in changed["edited"]])
    assert all(
        {"591": {"ind1": " ", "ind2": " ", "subfields": [{"a": "corrected"}]}} in r.marc["fields"] for r in edited
    )
    gone = SourceRecord.objects.get(source=source, identifier=member.oai_id(changed["deleted"]))
    assert (gone.member.active, gone.holdings.count()) == (False, 0)

    # when our own catalogue has one of the member's books (a copy at the county) and the union catalogue is
    # clustered
    with_copies = SourceRecord.objects.filter(source=source, deleted=False, member__isbn__gt="", holdings__isnull=False)
    theirs = with_copies.distinct().first()
    assert theirs is not None
    ours = catalog.create_record(marc=theirs.marc, actor=None)
    make_item(ours, library=net.county)
    clustering.run()

    # then our record and the member's share one cluster, whose holdings list our copy beside the member's
    cluster = ClusterMember.objects.get(record=ours).cluster
    assert cluster is not None
    assert set(cluster.members.values_list("source_record_id", "record_id")) == {(theirs.pk, None), (None, ours.pk)}
    member_copy = theirs.holdings.get()
    lines = [(line.code, line.copies, line.ours) for line in selectors.cluster_holdings(cluster)]
    assert lines == [("LN-SY-KP", 1, True), (member_copy.library_code, 1, False)]


def test_an_interrupted_harvest_resumes_from_its_stored_resumption_token(member, net):
    # given a source whose provider (three records a page) goes down after its first page has landed
    snapshot = member.snapshot()
    member.stop()
    member.page_size = 3
    member.start()
    source = oai_source(net, member.url)
    harvester, _, sleeps = client(source, retries=2)

    def stop_after_first_page(run: HarvestRun) -> None:
        if run.pages == 1:
            member.stop()

    # when the harvest runs into the dead provider
    with pytest.raises(HarvestFailed) as failure:
        harvesting.harvest(source=source, harvester=harvester, progress=stop_after_first_page)

    # then it retried with growing waits, gave up, and kept the pages that had come (the first, and the one or two
    # the fetching thread had before the provider went down) with the token that follows them
    assert "ConnectionError" in failure.value.message
    assert sleeps == [2.0, 4.0]
    run = HarvestRun.objects.get(source=source)
    assert (run.status, run.retries, run.prefix_index) == (HarvestRun.Status.INTERRUPTED, 2, 0)
    assert run.pages in (1, 2, 3)
    assert run.new == SourceRecord.objects.filter(source=source).count() == 3 * run.pages
    stored_token = run.resumption_token
    assert stored_token

    # when the provider is back on the same address and the source is harvested again
    member.start(port=member.port)
    harvester, responses, _ = client(source)
    resumed = harvesting.harvest(source=source, harvester=harvester)

    # then the same run went on from the stored token and every record landed exactly once
    assert resumed.pk == run.pk
    assert parse_qs(responses.list_requests()[0]) == {"verb": ["ListRecords"], "resumptionToken": [stored_token]}
    total = len(snapshot["live"]) + len(snapshot["deleted"])
    assert (resumed.status, resumed.read, resumed.new + resumed.deleted, resumed.unchanged) == (
        HarvestRun.Status.DONE,
        total,
        total,
        0,
    )
    assert SourceRecord.objects.filter(source=source).count() == total


def test_ctrl_c_during_a_harvest_leaves_it_resumable(member, net):
    # given a harvest the operator interrupts after its second page
    source = oai_source(net, member.url, prefixes="cnmarc")
    harvester, _, _ = client(source)

    def interrupt(run: HarvestRun) -> None:
        if run.pages == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        harvesting.harvest(source=source, harvester=harvester, progress=interrupt)
    run = HarvestRun.objects.get(source=source)
    assert (run.status, run.pages, run.read) == (HarvestRun.Status.INTERRUPTED, 2, 14)

    # when it is harvested with --resume
    harvester, responses, _ = client(source)
    resumed = harvesting.harvest(source=source, harvester=harvester, resume="require")

    # then it continued after the second page: no record was read twice
    cnmarc = sum(1 for fmt in member.snapshot()["live"].values() if fmt == "cnmarc")
    assert (resumed.pk, resumed.status, resumed.new, resumed.unchanged) == (run.pk, HarvestRun.Status.DONE, cnmarc, 0)
    assert "resumptionToken" in responses.list_requests()[0]


def test_dublin_core_records_land_through_the_crosswalk(member, net):
    # given a source harvested in oai_dc only
    source = oai_source(net, member.url, prefixes="oai_dc")
    harvester, _, _ = client(source)

    # when it is harvested
    run = harvesting.harvest(source=source, harvester=harvester)

    # then every live record landed as a brief MARC 21 record with its title and keys
    assert (run.new, run.deleted, run.rejected) == (40, 1, 0)
    members = ClusterMember.objects.filter(source_record__source=source)
    assert members.count() == 40
    assert all(m.title and m.title_key and m.marc_format == "marc21" for m in members)
