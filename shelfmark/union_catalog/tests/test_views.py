"""Staff pages under /staff/union/: the permission matrix, sources set up and fed, run logs, clusters, candidate
merges, splits and forgotten decisions, in Chinese and in English."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.catalog.tests.web_fixtures import PASSWORD, make_staff
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Level
from shelfmark.union_catalog import clustering, harvesting
from shelfmark.union_catalog.models import CandidatePair, ClusterDecision, ClusterMember, HarvestRun, Source

from .conftest import MARC_DIR, file_source, member_library
from .member_system import Answer, list_records, marcxml, record_xml, serving
from .records import marc21, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(net: Any) -> dict[str, Any]:
    staff = make_staff(net)
    city_admin = accounts.create_staff(username="sy-admin", password=PASSWORD, library=net.city, roles=[Role.ADMIN])
    return {
        "viewer": staff.viewer,
        "county_cataloguer": staff.cataloguer,
        "root_cataloguer": staff.root_cataloguer,
        "city_admin": city_admin,
        "superuser": staff.superuser,
    }


def login(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def clustered(net: Any, tmp_path: Any) -> dict[str, Any]:
    """A file member with two alike records (a candidate) and two of one book (a cluster)."""
    source = file_source(net)
    records = [
        marc21("沈阳城市史", control_number="c1", statement="王小明著", publisher="沈阳出版社", year=2010),
        marc21("沈阳城市史", control_number="c2", statement="王晓明著", publisher="沈阳出版社", year=2010),
        marc21("辽宁通史", control_number="b1", statement="张三著", isbn="9787205012342", year=2019),
        marc21("遼寧通史", control_number="b2", statement="张三著", isbn="7205012341", year=2019),
    ]
    harvesting.load_file(source=source, path=write(tmp_path / "m.mrc", records))
    clustering.run()
    return {
        "source": source,
        "pair": CandidatePair.objects.get(),
        "book": ClusterMember.objects.get(source_record__identifier="b1").cluster,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [("viewer", 200), ("county_cataloguer", 200), ("root_cataloguer", 200), ("city_admin", 200), ("superuser", 200)],
)
def test_staff_with_catalogue_view_see_the_union_catalogue(people, clustered, who, status):
    client = login(people[who])
    for url in (
        "/staff/union/",
        "/staff/union/clusters/?q=辽宁",
        f"/staff/union/clusters/{clustered['book'].pk}/",
        "/staff/union/candidates/",
        "/staff/union/sources/LN-AS/",
    ):
        assert client.get(url).status_code == status, url


def test_anonymous_visitors_are_sent_to_the_staff_login(clustered):
    response = Client().get("/staff/union/candidates/")
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/staff/login/")


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("viewer", False),
        ("county_cataloguer", False),
        ("city_admin", False),
        ("root_cataloguer", True),
        ("superuser", True),
    ],
)
def test_only_cataloguers_of_the_whole_network_merge_split_and_forget(people, clustered, who, allowed):
    client = login(people[who])
    pair, book = clustered["pair"], clustered["book"]
    before = dict(ClusterMember.objects.values_list("id", "cluster_id"))

    merged = client.post(f"/staff/union/candidates/{pair.pk}/merge/", {"note": "同一本书"})
    page = client.get("/staff/union/candidates/").content.decode()

    if not allowed:
        assert merged.status_code == 403
        assert "合并：同一版本" not in page
        assert dict(ClusterMember.objects.values_list("id", "cluster_id")) == before
        assert not ClusterDecision.objects.exists()
        split = client.post(f"/staff/union/clusters/{book.pk}/split/{book.members.first().pk}/")
        assert split.status_code == 403
        assert dict(ClusterMember.objects.values_list("id", "cluster_id")) == before
        return
    assert merged.status_code == 302
    decision = ClusterDecision.objects.get()
    assert (decision.kind, decision.note, decision.actor) == (ClusterDecision.Kind.MUST_LINK, "同一本书", people[who])
    assert (
        ClusterMember.objects.get(pk=pair.left_id).cluster_id == ClusterMember.objects.get(pk=pair.right_id).cluster_id
    )

    member = book.members.order_by("id").last()
    assert client.post(f"/staff/union/clusters/{book.pk}/split/{member.pk}/").status_code == 302
    assert ClusterMember.objects.get(pk=member.pk).cluster_id != book.pk
    apart = ClusterDecision.objects.get(kind=ClusterDecision.Kind.CANNOT_LINK)
    assert client.post(f"/staff/union/decisions/{apart.pk}/forget/", {"cluster": book.pk}).status_code == 302
    assert not ClusterDecision.objects.filter(pk=apart.pk).exists()


def test_a_candidate_kept_apart_leaves_the_list_and_an_unknown_decision_is_not_found(people, clustered):
    client = login(people["root_cataloguer"])
    pair = clustered["pair"]
    assert client.post(f"/staff/union/candidates/{pair.pk}/maybe/").status_code == 404
    assert client.post(f"/staff/union/candidates/{pair.pk}/apart/").status_code == 302
    assert ClusterDecision.objects.get().kind == ClusterDecision.Kind.CANNOT_LINK
    assert "没有待判断的候选合并。" in client.get("/staff/union/candidates/").content.decode()


def test_the_cluster_page_shows_the_preferred_record_the_score_rule_and_the_holdings(people, clustered):
    page = login(people["viewer"]).get(f"/staff/union/clusters/{clustered['book'].pk}/").content.decode()
    assert "优选记录" in page
    assert "遼寧通史" in page and "辽宁通史" in page
    assert "ISBN 3，中图法分类号 3" in page


def test_a_city_administrator_registers_a_member_source_below_the_city_and_is_told_which_field_is_wrong(net, people):
    client = login(people["city_admin"])
    county = libraries.create_library(code="LN-SY-XM", name="新民市图书馆", level=Level.COUNTY, parent=net.city)
    form = {"library": county.pk, "name": "新民市图书馆（Interlib）", "way": "oai_pmh", "base_url": "ftp://x",
            "metadata_prefixes": "marc21", "marc_format": "auto", "encoding": "auto", "schedule": "manual", "is_active": "on"}  # fmt: skip

    refused = client.post("/staff/union/sources/new/", form)
    assert refused.status_code == 422
    assert "请填写 OAI-PMH 接口的 http(s) 地址。" in refused.content.decode()
    assert not Source.objects.exists()

    created = client.post("/staff/union/sources/new/", {**form, "base_url": "http://opac.xinmin.example/oai"})
    assert (created.status_code, created["Location"]) == (302, "/staff/union/sources/LN-SY-XM/")
    source = Source.objects.get()
    assert (source.library, source.base_url, source.prefixes) == (county, "http://opac.xinmin.example/oai", ["marc21"])


def test_a_viewer_cannot_register_or_change_a_source(net, people):
    source = file_source(net)
    client = login(people["viewer"])
    assert client.get("/staff/union/sources/new/").status_code == 403
    changed = client.post(f"/staff/union/sources/{source.code}/", {"name": "改名", "way": "file", "marc_format": "auto",
                          "encoding": "auto", "schedule": "manual", "metadata_prefixes": "marc21"})  # fmt: skip
    assert changed.status_code == 403
    source.refresh_from_db()
    assert source.name == "鞍山市图书馆（汇文）"


def test_an_uploaded_member_file_is_loaded_and_its_run_log_names_the_rejects(
    net, people, django_capture_on_commit_callbacks
):
    source = file_source(net)
    data = (MARC_DIR / "test.dat").read_bytes() + (MARC_DIR / "bad_records.mrc").read_bytes()
    client = login(people["superuser"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/staff/union/sources/{source.code}/upload/", {"file": SimpleUploadedFile("export.mrc", data)}
        )

    run = HarvestRun.objects.get(source=source)
    assert (response.status_code, response["Location"]) == (302, f"/staff/union/runs/{run.pk}/")
    assert (run.status, run.new, run.rejected) == (HarvestRun.Status.DONE, 10, 9)
    page = client.get(response["Location"]).content.decode()
    assert "directory length 13 is not a multiple of 12" in page
    assert ClusterMember.objects.filter(source_record__source=source, cluster__isnull=False).count() == 10


def test_harvest_now_harvests_the_provider_and_the_run_shows_on_the_source_page(
    net, people, django_capture_on_commit_callbacks
):
    page = list_records(
        [record_xml("oai:m:1", "2025-03-01", marcxml(marc21("辽宁通史", control_number="1", year=2020)))]
    )
    with serving([Answer(body=page)]) as system:
        source = Source.objects.create(library=member_library(net), name="大连", base_url=system.url)
        client = login(people["superuser"])
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/staff/union/sources/{source.code}/harvest/").status_code == 302

    run = HarvestRun.objects.get(source=source)
    assert (run.status, run.new) == (HarvestRun.Status.DONE, 1)
    assert f"/staff/union/runs/{run.pk}/" in client.get(f"/staff/union/sources/{source.code}/").content.decode()


def test_the_pages_read_in_english_under_the_language_cookie(people, clustered):
    client = login(people["viewer"])
    client.cookies["django_language"] = "en"
    page = client.get("/staff/union/").content.decode()
    candidates = client.get("/staff/union/candidates/").content.decode()
    assert "Union catalogue: member sources and clusters" in page
    assert "<h1>Candidate merge</h1>" in candidates
