"""The scheduled job harvests the sources whose time has come, then clusters what changed."""

from __future__ import annotations

from datetime import time

import pytest

from shelfmark.union_catalog import tasks
from shelfmark.union_catalog.models import ClusterMember, HarvestRun, Source

from .conftest import oai_source
from .member_system import Answer, list_records, marcxml, record_xml, serving
from .records import marc21

pytestmark = pytest.mark.django_db


def test_due_sources_are_harvested_and_clustered_and_others_are_left(net):
    page = list_records(
        [record_xml("oai:m:1", "2025-03-01", marcxml(marc21("辽宁通史", control_number="1", year=2020)))]
    )
    with serving([Answer(body=page)]) as system:
        # given a source due every day at midnight and a manual one
        due = oai_source(net, system.url, prefixes="marc21")
        due.schedule, due.schedule_time = Source.Schedule.DAILY, time(0, 0)
        due.save()
        manual = oai_source(net, system.url, prefixes="marc21", code="LN-JZ")

        # when the periodic job runs
        tasks.harvest_due_sources.call_local()

    # then only the due source was harvested, and its record was clustered
    assert list(HarvestRun.objects.values_list("source_id", "status")) == [(due.pk, HarvestRun.Status.DONE)]
    assert not manual.runs.exists()
    assert ClusterMember.objects.get(source_record__identifier="oai:m:1").cluster_id is not None
