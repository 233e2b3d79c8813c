"""Clustering: planted variants of one book meet in one cluster, other volumes and editions stay apart, the fullest
record is preferred, holdings add up, and cataloguers' merge, split and pinned decisions survive later runs."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from shelfmark.catalog import services as catalog
from shelfmark.catalog.tests.web_fixtures import make_staff
from shelfmark.core.errors import PermissionDenied
from shelfmark.holdings.tests.factories import make_item
from shelfmark.union_catalog import clustering, harvesting, selectors, services
from shelfmark.union_catalog.errors import DecisionRefused
from shelfmark.union_catalog.models import CandidatePair, Cluster, ClusterDecision, ClusterMember

from .conftest import file_source
from .records import cnmarc, field, marc21, write

pytestmark = pytest.mark.django_db

ISBN13 = "9787205012342"
ISBN10 = "7-205-01234-1"
SET_ISBN = "9787101003048"


def member(identifier: str) -> ClusterMember:
    return ClusterMember.objects.get(source_record__identifier=identifier)


def groups() -> set[frozenset[str]]:
    """Every cluster as the set of its records' names (a member's 001, or "ours:<title>")."""
    found: dict[int | None, set[str]] = {}
    for m in ClusterMember.objects.filter(active=True).select_related("source_record"):
        name = m.source_record.identifier if m.source_record else f"ours:{m.title}"
        found.setdefault(m.cluster_id, set()).add(name)
    return {frozenset(names) for names in found.values()}


@pytest.fixture
def planted(net: Any, tmp_path: Any) -> dict[str, Any]:
    """Our catalogue's record of a book, and a member file of variants, other volumes and other editions."""
    ours = catalog.create_record(
        marc=marc21(
            "中国近代史",
            control_number="our-1",
            statement="李华著",
            author="李华",
            publisher="中华书局",
            year=2015,
            isbn=ISBN13,
        ).as_dict(),
        actor=None,
    )
    make_item(ours, library=net.county)
    make_item(ours, library=net.township)
    variants = [
        # the same book as ours: traditional title, ISBN-10 with hyphens, CNMARC, and fuller (class, subjects)
        cnmarc(
            "中國近代史",
            control_number="v-isbn",
            statement="李華著",
            author="李華",
            publisher="中華書局",
            year=2015,
            isbn=ISBN10,
            extra=[field("690", ("a", "K25")), field("606", ("a", "近代史")), field("606", ("a", "中国历史"))],
            holdings=[field("905", ("a", "LN-SY"), ("b", "SY1"), ("d", "K25"), ("e", "1"))],
        ),
        # one book without ISBN in two formats: ideographic space and full-width colon against traditional
        marc21(
            "辽宁\u3000地方志：研究",
            control_number="v-noisbn-m",
            statement="张三 著",
            publisher="辽宁人民出版社",
            year=2019,
        ),
        cnmarc(
            "遼寧地方志研究", control_number="v-noisbn-c", statement="張三著", publisher="遼寧人民出版社", year=2019
        ),
        # volumes of one set: without ISBN, and with the set's ISBN; each volume stays apart
        cnmarc(
            "辽宁通史",
            part="第一卷",
            control_number="vol-1",
            statement="王五主编",
            publisher="辽宁人民出版社",
            year=2020,
        ),
        cnmarc(
            "辽宁通史",
            part="第二卷",
            control_number="vol-2",
            statement="王五主编",
            publisher="辽宁人民出版社",
            year=2020,
        ),
        marc21("辽宁通史", part="第1卷", control_number="set-1", statement="王五主编", year=2020, isbn=SET_ISBN),
        marc21("辽宁通史", part="第2卷", control_number="set-2", statement="王五主编", year=2020, isbn=SET_ISBN),
        # editions: the second edition is another manifestation
        marc21("数据库系统概论", control_number="ed-1", statement="赵六编著", publisher="高等教育出版社", year=2014),
        marc21(
            "数据库系统概论",
            control_number="ed-2",
            edition="第2版",
            statement="赵六编著",
            publisher="高等教育出版社",
            year=2014,
        ),
        # alike but not the same author: a candidate for a cataloguer, not a link
        marc21("沈阳城市史", control_number="cand-1", statement="王小明著", publisher="沈阳出版社", year=2010),
        marc21("沈阳城市史", control_number="cand-2", statement="王晓明著", publisher="沈阳出版社", year=2010),
    ]
    source = file_source(net)
    harvesting.load_file(source=source, path=write(tmp_path / "members.mrc", variants))
    return {"ours": ours, "source": source}


def test_planted_variants_cluster_and_volumes_and_editions_stay_apart(planted):
    # when the union catalogue is clustered
    summary = clustering.run()

    # then each book's variants share a cluster and every other volume or edition is alone
    assert groups() == {
        frozenset({"ours:中国近代史", "v-isbn"}),
        frozenset({"v-noisbn-m", "v-noisbn-c"}),
        frozenset({"vol-1"}),
        frozenset({"vol-2"}),
        frozenset({"set-1"}),
        frozenset({"set-2"}),
        frozenset({"ed-1"}),
        frozenset({"ed-2"}),
        frozenset({"cand-1"}),
        frozenset({"cand-2"}),
    }
    assert (summary.members, summary.clusters, summary.links) == (12, 10, 2)
    # and the alike pair below the threshold waits for a cataloguer
    pairs = {
        (c.left.source_record.identifier, c.right.source_record.identifier)  # type: ignore[union-attr]
        for c in CandidatePair.objects.all()
    }
    assert pairs == {("cand-1", "cand-2")}


def test_the_fullest_record_is_preferred_and_the_holdings_add_up(planted, net):
    clustering.run()
    ours = ClusterMember.objects.get(record=planted["ours"])
    theirs = member("v-isbn")
    cluster = ours.cluster
    assert cluster is not None

    # the member's record has a class number, two subjects and a place: it scores higher than ours
    assert theirs.fullness > ours.fullness
    assert (cluster.preferred_id, cluster.size, cluster.isbn, cluster.title) == (theirs.pk, 2, ISBN13, "中國近代史")
    lines = [(line.code, line.copies, line.available, line.ours) for line in selectors.cluster_holdings(cluster)]
    assert lines == [("LN-SY-KP", 1, 1, True), ("LN-SY-KP-01", 1, 1, True), ("LN-SY", 1, None, False)]


def test_a_rerun_without_changes_moves_nothing_and_a_new_variant_joins_the_existing_cluster(planted, net, tmp_path):
    clustering.run()
    before = dict(ClusterMember.objects.values_list("id", "cluster_id"))

    again = clustering.run()
    assert (again.changed, dict(ClusterMember.objects.values_list("id", "cluster_id"))) == (0, before)

    # when another member's CNMARC record of our book arrives (ISBN-13 this time, full-width title)
    other = file_source(net, code="LN-FX")
    harvesting.load_file(
        source=other,
        path=write(
            tmp_path / "fx.mrc",
            [cnmarc("中国近代史", control_number="fx-1", publisher="中华书局", year=2015, isbn=ISBN13)],
        ),
    )
    third = clustering.run()

    # then it joined the cluster that already held the book, which kept its id
    ours = ClusterMember.objects.get(record=planted["ours"])
    assert member("fx-1").cluster_id == ours.cluster_id == before[ours.pk]
    assert third.changed == 1


def test_merge_split_and_pinned_decisions_survive_later_runs(planted, net):
    clustering.run()
    staff = make_staff(net)
    left, right = member("cand-1"), member("cand-2")

    # when a province cataloguer merges the candidate pair
    services.merge(left=left, right=right, actor=staff.root_cataloguer, note="同一本书，责任者著录有误")

    # then they share a cluster at once, the candidate is gone, and a rerun keeps them together
    assert member("cand-1").cluster_id == member("cand-2").cluster_id
    assert not CandidatePair.objects.exists()
    clustering.run()
    assert member("cand-1").cluster_id == member("cand-2").cluster_id
    assert not CandidatePair.objects.exists()

    # when the member's copy of our book is split out of its cluster
    ours = ClusterMember.objects.get(record=planted["ours"])
    services.split_out(member=member("v-isbn"), actor=staff.root_cataloguer)

    # then it is alone at once and after a rerun, pinned apart from our record
    assert member("v-isbn").cluster_id != ClusterMember.objects.get(pk=ours.pk).cluster_id
    clustering.run()
    assert member("v-isbn").cluster_id != ClusterMember.objects.get(pk=ours.pk).cluster_id
    assert ClusterDecision.objects.filter(kind=ClusterDecision.Kind.CANNOT_LINK).count() == 1

    # and a merge that would bring them together through other records is refused, changing nothing
    services.merge(left=member("v-isbn"), right=member("v-noisbn-m"), actor=staff.root_cataloguer)
    before = dict(ClusterMember.objects.values_list("id", "cluster_id"))
    decisions = set(ClusterDecision.objects.values_list("kind", "left_id", "right_id"))
    with pytest.raises(DecisionRefused):
        services.merge(left=member("v-noisbn-c"), right=ours, actor=staff.root_cataloguer)
    assert dict(ClusterMember.objects.values_list("id", "cluster_id")) == before
    assert set(ClusterDecision.objects.values_list("kind", "left_id", "right_id")) == decisions

    # when the decision is forgotten, the next run links the ISBN pair again (with the records merged to one)
    services.forget(
        decision=ClusterDecision.objects.get(kind=ClusterDecision.Kind.CANNOT_LINK), actor=staff.root_cataloguer
    )
    clustering.run()
    assert member("v-isbn").cluster_id == ClusterMember.objects.get(pk=ours.pk).cluster_id


def test_only_cataloguers_of_the_whole_network_decide_and_a_refusal_changes_nothing(planted, net):
    clustering.run()
    staff = make_staff(net)
    left, right = member("cand-1"), member("cand-2")
    before = dict(ClusterMember.objects.values_list("id", "cluster_id"))

    for actor in (staff.viewer, staff.cataloguer):
        with pytest.raises(PermissionDenied):
            services.merge(left=left, right=right, actor=actor)
        with pytest.raises(PermissionDenied):
            services.split_out(member=member("v-isbn"), actor=actor)

    assert dict(ClusterMember.objects.values_list("id", "cluster_id")) == before
    assert not ClusterDecision.objects.exists()
    services.keep_apart(left=left, right=right, actor=staff.superuser)
    assert ClusterDecision.objects.get().kind == ClusterDecision.Kind.CANNOT_LINK


def test_our_catalogue_changes_reach_the_next_run(planted):
    clustering.run()
    ours = planted["ours"]

    # when our record's title is corrected to another book's and a record is deleted
    corrected = dict(ours.marc)
    corrected["fields"] = [f for f in corrected["fields"] if "020" not in f]
    catalog.update_record(record=ours, marc=corrected, actor=None)
    doomed = catalog.create_record(marc=marc21("待删除", control_number="our-2", year=2000).as_dict(), actor=None)
    clustering.run()
    assert ClusterMember.objects.filter(record=doomed).exists()
    catalog.delete_record(record=doomed, actor=None)
    clustering.run()

    # then ours lost its ISBN key, and the deleted record's member is gone
    assert ClusterMember.objects.get(record=ours).isbn == ""
    assert not ClusterMember.objects.filter(record_id=doomed.pk).exists()
    assert Cluster.objects.filter(members__isnull=True).count() == 0


def test_the_cluster_command_prints_what_the_run_did(planted):
    out = io.StringIO()
    call_command("cluster", "--quiet", stdout=out)
    line = out.getvalue().strip()
    assert line.startswith("members=12 clusters=10 changed=12 links=2 candidates=1 seconds=")


def test_a_retitled_preferred_record_retitles_its_cluster(net, tmp_path):
    source = file_source(net, code="LN-TL")
    harvesting.load_file(
        source=source, path=write(tmp_path / "a.mrc", [marc21("辽宁通史稿", control_number="t1", year=2001)])
    )
    clustering.run()
    harvesting.load_file(
        source=source, path=write(tmp_path / "b.mrc", [marc21("辽宁通史", control_number="t1", year=2001)])
    )

    clustering.run()

    assert list(Cluster.objects.values_list("title", "size")) == [("辽宁通史", 1)]
