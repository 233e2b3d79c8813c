"""Registering, changing and withdrawing local documents: checked, audited, and refusals change nothing."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shelfmark.alliance import services
from shelfmark.alliance.errors import LocalDocumentAlreadyRegistered, LocalDocumentWithdrawn
from shelfmark.alliance.models import LocalDocument, Region
from shelfmark.alliance.tests.factories import region
from shelfmark.core.errors import InvalidInput, PermissionDenied
from shelfmark.core.models import AuditEvent
from shelfmark.holdings.tests.factories import make_record

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_seeded_regions_are_liaoning_its_14_cities_and_100_counties():
    assert Region.objects.get(code="210000").name == "辽宁省"
    assert Region.objects.filter(level="city").count() == 14
    assert Region.objects.filter(level="county").count() == 100
    kangping = Region.objects.select_related("parent__parent").get(code="210123")
    city = kangping.parent
    assert city is not None and city.parent is not None
    assert (kangping.name, city.code, city.parent.code) == ("康平县", "210100", "210000")
    assert set(Region.objects.filter(level="county").values_list("parent__level", flat=True)) == {"city"}


def test_a_cataloguer_registers_a_catalogued_legal_deposit_copy(alliance):
    # given a record of the county's local history
    record = make_record("康平县志", library=alliance.net.county)
    # when the county cataloguer registers it as a legal deposit copy
    document = services.register_local_document(
        library=alliance.net.county,
        region=region("210123"),
        record=record,
        subjects=["地方志", " 康平县 ", "地方志"],
        year_from=1986,
        year_to=2005,
        is_legal_deposit=True,
        received_on=date(2025, 5, 20),
        actor=alliance.county_cataloguer,
        now=NOW,
    )
    # then it stands with the cleaned subjects, and the registration is audited
    document.refresh_from_db()
    assert (document.library, document.record, document.region.code) == (alliance.net.county, record, "210123")
    assert document.subjects == ["地方志", "康平县"]
    assert (document.year_from, document.year_to, document.is_legal_deposit) == (1986, 2005, True)
    assert document.received_on == date(2025, 5, 20)
    assert document.title == "康平县志"
    event = AuditEvent.objects.get(kind="alliance.local_document_registered")
    assert event.actor == alliance.county_cataloguer
    assert event.object_id == str(document.pk)
    assert event.data == {
        "library": "LN-SY-KP",
        "region": "210123",
        "record": record.pk,
        "years": [1986, 2005],
        "legal_deposit": True,
    }


def test_an_uncatalogued_document_is_registered_by_citation_for_one_year(alliance):
    document = services.register_local_document(
        library=alliance.net.city,
        region=region("210100"),
        citation="沈阳市文化志（内部资料）\n沈阳市文化局编",
        year_from=2019,
        actor=alliance.city_cataloguer,
        now=NOW,
    )
    assert (document.year_from, document.year_to, document.record) == (2019, 2019, None)
    assert document.title == "沈阳市文化志（内部资料）"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"citation": ""}, "citation"),
        ({"year_from": 2010, "year_to": 2001}, "year_to"),
        ({"year_from": "二〇一〇"}, "year_from"),
        ({"year_from": 2030}, "year_from"),
        ({"is_legal_deposit": True}, "received_on"),
        ({"received_on": date(2025, 7, 1)}, "received_on"),
        ({"subjects": ["x" * 101]}, "subjects"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(alliance, changes, field):
    values = {"citation": "辽宁年鉴", "year_from": 2010, "year_to": 2012, **changes}
    with pytest.raises(InvalidInput) as refused:
        services.register_local_document(
            library=alliance.net.city, region=region("210100"), actor=alliance.city_cataloguer, now=NOW, **values
        )
    assert refused.value.field == field
    assert LocalDocument.objects.count() == 0
    assert not AuditEvent.objects.filter(kind__startswith="alliance.").exists()


def test_an_inactive_region_is_refused(alliance):
    gone = region("210124")
    gone.is_active = False
    gone.save()
    with pytest.raises(InvalidInput) as refused:
        services.register_local_document(
            library=alliance.net.city, region=gone, citation="法库县志", year_from=2000, actor=alliance.city_cataloguer
        )
    assert refused.value.field == "region"
    assert LocalDocument.objects.count() == 0


@pytest.mark.parametrize("who", ["county_cataloguer", "viewer", "desk"])
def test_staff_without_alliance_edit_at_the_library_are_refused_and_nothing_is_written(alliance, who):
    # the county cataloguer edits 康平 only; the viewer and the circulation desk edit nowhere
    with pytest.raises(PermissionDenied) as refused:
        services.register_local_document(
            library=alliance.net.city,
            region=region("210100"),
            citation="沈阳年鉴",
            year_from=2020,
            actor=getattr(alliance, who),
        )
    assert refused.value.field == "library"
    assert LocalDocument.objects.count() == 0
    assert not AuditEvent.objects.filter(kind__startswith="alliance.").exists()


def test_a_record_is_registered_once_per_library_until_withdrawn(alliance):
    record = make_record("沈阳故宫志", library=alliance.net.city)
    first = services.register_local_document(
        library=alliance.net.city,
        region=region("210100"),
        record=record,
        year_from=2000,
        actor=alliance.city_cataloguer,
    )
    with pytest.raises(LocalDocumentAlreadyRegistered) as refused:
        services.register_local_document(
            library=alliance.net.city,
            region=region("210100"),
            record=record,
            year_from=2001,
            actor=alliance.city_cataloguer,
        )
    assert refused.value.field == "record"
    assert list(LocalDocument.objects.values_list("pk", flat=True)) == [first.pk]
    # another library may register its own copy, and after withdrawal the same library may again
    services.register_local_document(
        library=alliance.net.county,
        region=region("210100"),
        record=record,
        year_from=2000,
        actor=alliance.city_cataloguer,
    )
    services.withdraw_local_document(document=first, actor=alliance.city_cataloguer)
    again = services.register_local_document(
        library=alliance.net.city,
        region=region("210100"),
        record=record,
        year_from=2000,
        actor=alliance.city_cataloguer,
    )
    assert LocalDocument.objects.filter(withdrawn_at__isnull=True).count() == 2
    assert again.pk != first.pk


def test_update_changes_only_what_differs_and_audits_the_fields(alliance):
    document = services.register_local_document(
        library=alliance.net.county,
        region=region("210123"),
        citation="康平民俗",
        year_from=2001,
        actor=alliance.county_cataloguer,
        now=NOW,
    )
    updated = services.update_local_document(
        document=document,
        region=region("210124"),
        year_to=2003,
        subjects="民俗；节庆",
        citation="康平民俗",
        actor=alliance.county_cataloguer,
        now=NOW,
    )
    assert (updated.region.code, updated.year_from, updated.year_to) == ("210124", 2001, 2003)
    assert updated.subjects == ["民俗", "节庆"]
    event = AuditEvent.objects.get(kind="alliance.local_document_updated")
    assert event.data == {"changed": ["region", "subjects", "year_to"]}
    # the same values again write nothing
    services.update_local_document(document=updated, year_to=2003, actor=alliance.county_cataloguer)
    assert AuditEvent.objects.filter(kind="alliance.local_document_updated").count() == 1


def test_a_refused_update_changes_nothing(alliance):
    document = services.register_local_document(
        library=alliance.net.county,
        region=region("210123"),
        citation="康平民俗",
        year_from=2001,
        actor=alliance.county_cataloguer,
    )
    with pytest.raises(InvalidInput):
        services.update_local_document(
            document=document, year_from=2005, year_to=2002, actor=alliance.county_cataloguer
        )
    with pytest.raises(PermissionDenied):
        services.update_local_document(document=document, year_to=2010, actor=alliance.viewer)
    document.refresh_from_db()
    assert (document.year_from, document.year_to) == (2001, 2001)
    assert not AuditEvent.objects.filter(kind="alliance.local_document_updated").exists()


def test_withdraw_keeps_the_row_and_refuses_later_changes(alliance):
    document = services.register_local_document(
        library=alliance.net.county,
        region=region("210123"),
        citation="康平民俗",
        year_from=2001,
        actor=alliance.county_cataloguer,
    )
    services.withdraw_local_document(document=document, reason="重复登记", actor=alliance.county_cataloguer, now=NOW)
    document.refresh_from_db()
    assert (document.withdrawn_at, document.withdrawn_reason) == (NOW, "重复登记")
    with pytest.raises(LocalDocumentWithdrawn):
        services.update_local_document(document=document, year_to=2002, actor=alliance.county_cataloguer)
    with pytest.raises(LocalDocumentWithdrawn):
        services.withdraw_local_document(document=document, actor=alliance.county_cataloguer)
    assert AuditEvent.objects.filter(kind="alliance.local_document_withdrawn").count() == 1


def test_withdraw_by_someone_else_is_refused_and_changes_nothing(alliance):
    document = services.register_local_document(
        library=alliance.net.city,
        region=region("210100"),
        citation="沈阳年鉴",
        year_from=2001,
        actor=alliance.superuser,
    )
    with pytest.raises(PermissionDenied):
        services.withdraw_local_document(document=document, actor=alliance.county_cataloguer)
    document.refresh_from_db()
    assert document.withdrawn_at is None
