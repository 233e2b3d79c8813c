"""Copy cataloguing against a real Z39.50 server: YAZ's test server (yaz-ztest) on a local port, searched through
zoomsh; its records are read, listed and one is catalogued. In CI a missing YAZ fails instead of skipping."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.selectors import search
from shelfmark.core.models import AuditEvent
from shelfmark.libraries.tests.factories import make_network
from shelfmark.protocols.z3950 import client
from shelfmark.protocols.z3950.tests.conftest import free_port, tool

pytestmark = pytest.mark.django_db


def test_a_remote_search_lists_the_records_the_server_sent(ztest: client.Target):
    result = client.search(ztest, field="title", term="computer", limit=3)

    assert result.total > 3
    assert [found.position for found in result.records] == [1, 2, 3]
    assert result.unreadable == []
    first = result.records[0]
    assert first.marc_format == "marc21"
    assert first.title
    assert {"001"} <= {next(iter(field)) for field in first.marc["fields"]}


def test_the_picked_record_is_catalogued_indexed_and_audited(ztest: client.Target):
    net = make_network()
    found = client.search(ztest, field="any", term="computer", limit=2).records[1]

    record = client.copy_record(found, library=net.county, actor=None)

    assert (record.title, record.library, record.marc_format) == (found.title, net.county, "marc21")
    assert record.pk in [hit.pk for hit in search(f'"{found.title}"').hits]
    assert AuditEvent.objects.filter(kind="catalog.record_created", object_id=str(record.pk)).exists()


def test_the_copycat_command_lists_and_imports(ztest: client.Target):
    net = make_network()
    out = StringIO()

    call_command("copycat", str(ztest), "computer", "--field", "title", "--limit", "2", "--import", "1",
                 "--library", net.city.code, stdout=out)  # fmt: skip

    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{ztest}: ") and lines[0].endswith(" hits")
    assert [line.split()[0] for line in lines[1:3]] == ["1", "2"]
    record = Record.objects.get()
    assert lines[3] == f"Catalogued as record {record.pk}: {record.title}"
    assert record.library == net.city


def test_a_server_that_does_not_answer_is_a_clear_error_and_nothing_is_catalogued():
    tool("zoomsh")
    nowhere = client.Target("127.0.0.1", free_port(), "Default")

    with pytest.raises(client.RemoteSearchFailed) as failed, translation.override("zh-hans"):
        client.search(nowhere, field="title", term="computer", timeout=5)

    assert failed.value.message == f"检索远程 Z39.50 服务器失败：Connect failed (ZOOM:10000) {nowhere}"
    assert Record.objects.count() == 0


@pytest.mark.parametrize(("zurl", "syntax"), [("no-port/db", "usmarc"), ("host:210", "usmarc"), ("h:210/db", "marc")])
def test_a_malformed_target_is_refused_naming_the_field(zurl: str, syntax: str):
    with pytest.raises(client.BadTarget) as refused:
        client.Target.parse(zurl, syntax=syntax)

    assert refused.value.field == "target"


def test_the_command_reports_a_bad_target_without_a_traceback():
    with pytest.raises(CommandError, match="主机:端口/数据库"), translation.override("zh-hans"):
        call_command("copycat", "nowhere", "computer")


def test_a_term_is_quoted_so_that_pqf_operators_stay_literal():
    assert client.pqf("title", 'a "b" @or c') == '@attr 1=4 "a \\"b\\" @or c"'
