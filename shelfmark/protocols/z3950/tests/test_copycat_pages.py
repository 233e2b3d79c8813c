"""The copy-cataloguing pages against YAZ's test server: search, look, catalogue; refusals named, nothing half-done."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.catalog.models import Record
from shelfmark.core.models import AuditEvent
from shelfmark.libraries.tests.factories import make_network
from shelfmark.protocols.z3950 import client
from shelfmark.protocols.z3950.tests.conftest import free_port, tool

pytestmark = pytest.mark.django_db


@pytest.fixture
def net():
    return make_network()


def _staff(client_: Client, net, role: str) -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        user = accounts.create_staff(username=f"{role}-1", password="pw-123456", library=net.county, roles=[role])
    client_.force_login(user)


def _query(target: client.Target, term: str = "computer") -> str:
    return urlencode({"target": str(target), "syntax": "usmarc", "field": "title", "term": term})


def _shown(client_: Client, target: client.Target) -> tuple[str, list[client.Found]]:
    page = client_.get(f"/staff/copycat/?{_query(target)}")
    assert page.status_code == 200
    return page.content.decode(), client.search(target, field="title", term="computer", limit=20).records


def test_a_cataloguer_finds_a_record_elsewhere_and_catalogues_it(client: Client, net, ztest: client.Target):
    _staff(client, net, Role.CATALOGUER)

    page, records = _shown(client, ztest)

    assert "命中" in page and records[1].title in page and page.count('action="/staff/copycat/copy/"') == len(records)
    response = client.post(
        "/staff/copycat/copy/",
        {**dict(_pairs(ztest)), "position": 2, "title": records[1].title, "library": net.county.code},
    )
    record = Record.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/catalog/{record.pk}/"
    assert (record.title, record.library, record.marc_format) == (records[1].title, net.county, "marc21")
    assert AuditEvent.objects.filter(kind="catalog.record_created", object_id=str(record.pk)).exists()


def test_a_library_the_cataloguer_may_not_catalogue_for_is_refused(client: Client, net, ztest: client.Target):
    _staff(client, net, Role.CATALOGUER)
    _, records = _shown(client, ztest)

    response = client.post(
        "/staff/copycat/copy/",
        {**dict(_pairs(ztest)), "position": 1, "title": records[0].title, "library": net.other_county.code},
    )

    assert response.status_code == 400
    assert f"编目馆: 选择一个有效的选项。 {net.other_county.code} 不在可用的选项中。" in response.content.decode()
    assert not Record.objects.exists()


def test_a_record_that_changed_on_the_server_is_not_catalogued(client: Client, net, ztest: client.Target):
    _staff(client, net, Role.CATALOGUER)

    response = client.post(
        "/staff/copycat/copy/", {**dict(_pairs(ztest)), "position": 1, "title": "另一本书", "library": net.county.code}
    )

    assert response.status_code == 409
    assert "服务器上第 1 条记录已不是《另一本书》，请重新检索。" in response.content.decode()
    assert not Record.objects.exists()


def test_a_reader_of_the_catalogue_may_look_but_not_catalogue(client: Client, net, ztest: client.Target):
    _staff(client, net, Role.VIEWER)
    page, _ = _shown(client, ztest)
    assert "您无权编目" in page and 'action="/staff/copycat/copy/"' not in page


def test_a_malformed_target_and_a_silent_server_are_named(client: Client, net):
    tool("zoomsh")
    _staff(client, net, Role.CATALOGUER)

    bad = client.get("/staff/copycat/?" + urlencode({"target": "nowhere", "field": "title", "term": "x"}))
    assert bad.status_code == 400 and "主机:端口/数据库" in bad.content.decode()

    nowhere = f"127.0.0.1:{free_port()}/Default"
    down = client.get(
        "/staff/copycat/?" + urlencode({"target": nowhere, "syntax": "usmarc", "field": "title", "term": "x"})
    )
    assert down.status_code == 502 and "检索远程 Z39.50 服务器失败" in down.content.decode()


def _pairs(target: client.Target) -> list[tuple[str, str]]:
    return [("target", str(target)), ("syntax", "usmarc"), ("field", "title"), ("term", "computer")]


def test_the_servers_this_site_names_are_offered(client: Client, net, settings):
    settings.SHELFMARK_Z3950_TARGETS = [("国家图书馆", "z.example.cn:210/Default", "usmarc")]
    _staff(client, net, Role.CATALOGUER)
    page = client.get("/staff/copycat/").content.decode()
    assert '<option value="z.example.cn:210/Default">国家图书馆</option>' in page
