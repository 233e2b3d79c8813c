from datetime import UTC, datetime

import pytest

from shelfmark.catalog import services
from shelfmark.catalog.marc.extract import MissingTitle
from shelfmark.catalog.marc.writing import InvalidMarc
from shelfmark.catalog.models import DeletedRecord, Record
from shelfmark.catalog.tests import marc_samples as samples
from shelfmark.core.models import AuditEvent
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


def test_create_record_extracts_fields_indexes_and_audits(index_calls):
    net = make_network()

    record = services.create_record(marc=samples.cnmarc().as_dict(), library=net.county, actor=None)

    assert (record.title, record.isbn, record.library) == ("辽宁　地方志", "9787020002207", net.county)
    assert record.marc["leader"][9] == "a"
    assert index_calls.indexed == [[record.pk]]
    event = AuditEvent.objects.get(kind="catalog.record_created")
    assert (event.object_id, event.data) == (str(record.pk), {"title": "辽宁　地方志"})


def test_update_record_re_extracts_and_keeps_the_library_unless_told(index_calls):
    net = make_network()
    record = services.create_record(marc=samples.cnmarc().as_dict(), library=net.county, actor=None)
    marc = samples.chinese_marc21().as_dict()

    updated = services.update_record(record=record, marc=marc, actor=None)

    assert (updated.pk, updated.title, updated.marc_format, updated.library) == (
        record.pk,
        "红楼梦",
        "marc21",
        net.county,
    )
    assert index_calls.indexed[-1] == [record.pk]
    changed = AuditEvent.objects.get(kind="catalog.record_updated").data["changed"]
    assert "title" in changed and "marc_format" in changed and "library" not in changed

    moved = services.update_record(record=record, marc=marc, library=net.city, actor=None)

    assert moved.library == net.city


def test_delete_record_removes_it_from_the_index_and_audits(index_calls):
    record = services.create_record(marc=samples.cnmarc().as_dict(), actor=None)
    pk = record.pk

    services.delete_record(record=record, actor=None)

    assert not Record.objects.filter(pk=pk).exists()
    assert index_calls.removed == [[pk]]
    event = AuditEvent.objects.get(kind="catalog.record_deleted")
    assert (event.object_id, event.data["isbn"]) == (str(pk), "9787020002207")


def test_delete_record_leaves_a_deleted_record_for_harvesters(index_calls):
    # given a CNMARC record
    record = services.create_record(marc=samples.cnmarc().as_dict(), actor=None)
    when = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)

    # when it is deleted
    services.delete_record(record=record, actor=None, now=when)

    # then what a harvester needs of it stays, under its old id
    gone = DeletedRecord.objects.get()
    assert (gone.record_id, gone.control_number, gone.marc_format, gone.resource_type, gone.deleted_at) == (
        record.pk,
        record.control_number,
        "cnmarc",
        record.resource_type,
        when,
    )


@pytest.mark.parametrize(
    ("marc", "error", "message"),
    [
        ({"leader": "x"}, InvalidMarc, "该 MARC 记录不是有效的 MARC-in-JSON：it needs a list of fields"),
        ({"fields": [{"24": {"subfields": []}}]}, InvalidMarc, "field 1 has the tag '24'"),
        ({"fields": [{"245": {"ind1": "1"}}]}, InvalidMarc, "field 1 (245) has no subfield list"),
        ({"fields": [{"001": "x9"}]}, MissingTitle, "书目记录 x9 没有题名（245 $a）。"),
    ],
)
def test_bad_marc_is_refused_and_nothing_is_written(index_calls, marc, error, message):
    with pytest.raises(error) as refused:
        services.create_record(marc=marc, actor=None)

    assert message in refused.value.message
    assert Record.objects.count() == 0 and AuditEvent.objects.count() == 0 and index_calls.indexed == []
