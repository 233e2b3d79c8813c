import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shelfmark.catalog import services
from shelfmark.catalog.models import ImportJob, Record
from shelfmark.catalog.search import index
from shelfmark.catalog.search.selectors import search_ids
from shelfmark.catalog.tests import marc_samples as samples
from shelfmark.core.errors import InvalidInput
from shelfmark.core.models import AuditEvent
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db

# file: (read, created, rejected), as MANIFEST.md in ../shared/data/marc states them
MANIFEST = {
    "test.dat": (10, 10, 0),
    "marc.dat": (20, 20, 0),
    "marc8.dat": (1, 1, 0),
    "utf8_without_leader_flag.dat": (1, 1, 0),
    "regression45.dat": (12, 12, 0),
    "testunimarc.dat": (1, 1, 0),
    "bad_records.mrc": (9, 2, 7),
    "batch.xml": (2, 2, 0),
    "utf8.xml": (1, 1, 0),
}


def test_the_manifest_names_every_sample_file(marc_dir):
    assert sorted(p.name for p in marc_dir.iterdir() if p.name != "MANIFEST.md") == sorted(MANIFEST)


@pytest.mark.parametrize(("name", "counts"), MANIFEST.items())
def test_every_sample_file_imports_with_the_manifest_counts(marc_dir, name, counts):
    summary = services.import_marc(source=marc_dir / name)

    assert (summary.read, summary.created, summary.rejected) == counts
    assert summary.updated == 0
    assert Record.objects.count() == counts[1]


def test_broken_records_are_rejected_by_position_into_a_reject_file(marc_dir, tmp_path):
    path = marc_dir / "bad_records.mrc"

    summary = services.import_marc(source=path, reject_path=tmp_path / "bad_records.mrc.rejects")

    assert [(r.position, r.offset) for r in summary.rejects] == [
        (2, 127), (3, 254), (4, 381), (5, 509), (6, 637), (7, 764), (9, 917)
    ]  # fmt: skip
    assert summary.rejects[1].reason == "leader: base address of data 0 points inside the leader"
    data = path.read_bytes()
    rejected_bytes = data[127:790] + data[917:]
    assert (tmp_path / "bad_records.mrc.rejects.mrc").read_bytes() == rejected_bytes
    tsv = (tmp_path / "bad_records.mrc.rejects.tsv").read_text().splitlines()
    assert tsv[0] == "position\toffset\treason\tcontrol_number"
    assert tsv[1] == "2\t127\tleader: base address of data 99937 lies beyond the record (127 bytes)\t"
    assert len(tsv) == 8
    assert summary.reject_files == [tmp_path / "bad_records.mrc.rejects.mrc", tmp_path / "bad_records.mrc.rejects.tsv"]
    assert list(Record.objects.values_list("title", flat=True)) == ["The pragmatic programmer"] * 2


def test_a_record_without_title_is_rejected_and_the_rest_land(tmp_path):
    untitled = samples.record("00000cam a2200000 a 4500", samples.control("001", "nt1"), samples.field("100", a="X"))
    data = samples.iso2709(samples.cnmarc()) + samples.iso2709(untitled)

    summary = services.import_marc(source=io.BytesIO(data))

    assert (summary.read, summary.created, summary.rejected) == (2, 1, 1)
    assert summary.rejects[0].reason == "书目记录 nt1 没有题名（245 $a）。"
    assert summary.rejects[0].control_number == "nt1"


def test_reimporting_a_file_updates_its_records_instead_of_duplicating_them(marc_dir):
    services.import_marc(source=marc_dir / "test.dat")
    ids = list(Record.objects.values_list("id", flat=True))

    again = services.import_marc(source=marc_dir / "test.dat")

    assert (again.read, again.created, again.updated, again.rejected) == (10, 0, 10, 0)
    assert list(Record.objects.values_list("id", flat=True)) == ids


def test_records_without_isbn_match_on_their_control_number(marc_dir):
    services.import_marc(source=marc_dir / "regression45.dat")

    again = services.import_marc(source=marc_dir / "regression45.dat")

    assert (again.created, again.updated) == (0, 12)
    assert Record.objects.count() == 12


def test_a_copy_later_in_the_same_file_updates_the_first_even_across_batches(marc_dir, tmp_path):
    twice = tmp_path / "twice.mrc"
    twice.write_bytes((marc_dir / "test.dat").read_bytes() * 2)

    summary = services.import_marc(source=twice, batch_size=3)

    assert (summary.read, summary.created, summary.updated) == (20, 10, 10)
    assert Record.objects.count() == 10


def test_match_none_always_creates_and_control_number_matches_on_001(marc_dir):
    services.import_marc(source=marc_dir / "test.dat", match="none")
    services.import_marc(source=marc_dir / "test.dat", match="none")
    assert Record.objects.count() == 20

    by_number = services.import_marc(source=marc_dir / "test.dat", match="control-number")

    assert (by_number.created, by_number.updated) == (0, 10)


def test_unknown_options_are_refused_before_anything_is_read(marc_dir):
    with pytest.raises(InvalidInput) as refused:
        services.import_marc(source=marc_dir / "test.dat", match="title")

    assert refused.value.field == "match"
    assert Record.objects.count() == 0


def test_a_failure_inside_a_batch_leaves_whole_batches_only_and_a_rerun_completes(marc_dir, monkeypatch):
    real = index.index_records
    calls = []

    def failing_on_second_batch(records, **kwargs):
        calls.append(len(records))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        real(records, **kwargs)

    monkeypatch.setattr(index, "index_records", failing_on_second_batch)

    with pytest.raises(RuntimeError, match="disk full"):
        services.import_marc(source=marc_dir / "marc.dat", batch_size=5)

    assert Record.objects.count() == 5
    assert AuditEvent.objects.filter(kind="catalog.import_batch").count() == 1
    assert all(r.title and r.marc["fields"] for r in Record.objects.all())
    monkeypatch.setattr(index, "index_records", real)

    rerun = services.import_marc(source=marc_dir / "marc.dat", batch_size=5)

    assert (rerun.read, rerun.created, rerun.updated, rerun.rejected) == (20, 15, 5, 0)
    assert Record.objects.count() == 20


def test_one_audit_event_per_batch_names_the_file_and_counts(marc_dir):
    net = make_network()

    services.import_marc(source=marc_dir / "marc.dat", batch_size=8, library=net.county)

    events = list(AuditEvent.objects.filter(kind="catalog.import_batch").order_by("id"))
    assert [e.data["positions"] for e in events] == [[1, 8], [9, 16], [17, 20]]
    assert [e.data["created"] for e in events] == [8, 8, 4]
    assert events[0].data["file"] == "marc.dat" and events[0].data["library"] == "LN-SY-KP"
    assert set(Record.objects.values_list("library__code", flat=True)) == {"LN-SY-KP"}


def test_queries_grow_with_batches_not_with_records(marc_dir):
    with CaptureQueriesContext(connection) as ten:
        services.import_marc(source=marc_dir / "test.dat", batch_size=100)
    with CaptureQueriesContext(connection) as twenty:
        services.import_marc(source=marc_dir / "marc.dat", batch_size=100)

    assert len(twenty.captured_queries) == len(ten.captured_queries)


def test_progress_and_the_import_job_follow_each_batch(marc_dir):
    path = marc_dir / "marc.dat"
    job = ImportJob.objects.create(file_name="marc.dat", total_bytes=path.stat().st_size)
    seen = []

    services.import_marc(
        source=path, batch_size=10, job=job, progress=lambda done, total, s: seen.append((done, total, s.created))
    )

    size = path.stat().st_size
    assert seen[-1] == (size, size, 20)
    assert seen[0][2] == 10 and 0 < seen[0][0] < size
    job.refresh_from_db()
    assert (job.read, job.created, job.updated, job.rejected, job.processed_bytes) == (20, 20, 0, 0, size)


def test_a_chinese_marc21_record_shows_the_original_script_and_both_forms_are_found():
    data = samples.iso2709(samples.chinese_marc21())

    services.import_marc(source=io.BytesIO(data))

    record = Record.objects.get()
    assert (record.title, record.title_romanized) == ("红楼梦", "Hong lou meng")
    assert record.authors == ["曹雪芹", "Cao, Xueqin"]
    assert list(search_ids("红楼梦")) == [record.pk]
    assert list(search_ids("Hong lou meng")) == [record.pk]


def test_a_gb18030_cnmarc_file_imports_without_naming_its_encoding():
    data = samples.iso2709(samples.cnmarc(), encoding="gb18030")

    summary = services.import_marc(source=io.BytesIO(data))

    assert (summary.created, summary.rejected) == (1, 0)
    record = Record.objects.get()
    assert (record.marc_format, record.title, record.clc_class) == ("cnmarc", "辽宁　地方志", "K293.1")


def test_the_command_prints_the_summary_and_the_rejects(marc_dir, tmp_path):
    make_network()
    out = io.StringIO()

    call_command(
        "import_marc",
        str(marc_dir / "bad_records.mrc"),
        str(marc_dir / "test.dat"),
        "--library=LN-SY",
        "--no-progress",
        f"--rejects-dir={tmp_path}",
        stdout=out,
    )

    lines = out.getvalue().splitlines()
    assert lines[0] == f"{marc_dir / 'bad_records.mrc'}: read=9 created=2 updated=0 rejected=7"
    assert lines[1] == "  rejected #2 @127: leader: base address of data 99937 lies beyond the record (127 bytes)"
    assert lines[8] == f"  reject file: {tmp_path / 'bad_records.mrc.rejects.mrc'} (bad_records.mrc.rejects.tsv)"
    assert lines[9] == f"{marc_dir / 'test.dat'}: read=10 created=10 updated=0 rejected=0"
    assert lines[10] == "total: read=19 created=12 updated=0 rejected=7"
    assert not (tmp_path / "test.dat.rejects.tsv").exists()


def test_the_command_refuses_an_unknown_library_and_imports_nothing(marc_dir):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No library has the code 'NOPE'"):
        call_command("import_marc", str(marc_dir / "test.dat"), "--library=NOPE", "--no-progress")

    assert Record.objects.count() == 0


def test_marcxml_rejects_go_to_an_xml_reject_file(tmp_path):
    xml = (
        b'<?xml version="1.0"?><collection xmlns="http://www.loc.gov/MARC21/slim">'
        b'<record><leader>00000cam a2200000 a 4500</leader><controlfield tag="001">a1</controlfield>'
        b'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Kept.</subfield></datafield></record>'
        b'<record><leader>00000cam a2200000 a 4500</leader><controlfield tag="001">a2</controlfield></record>'
        b"</collection>"
    )
    source = tmp_path / "two.xml"
    source.write_bytes(xml)

    summary = services.import_marc(source=source, reject_path=tmp_path / "two.xml.rejects")

    assert (summary.created, summary.rejected) == (1, 1)
    assert summary.rejects[0].position == 2 and summary.rejects[0].offset == -1
    assert Path(tmp_path / "two.xml.rejects.xml").read_bytes().count(b"<record") == 1


def test_ids_reserved_by_the_import_are_never_handed_out_again(marc_dir):
    services.import_marc(source=marc_dir / "test.dat")
    last = Record.objects.order_by("-id").first()
    assert last is not None
    deleted = last.pk
    last.delete()

    services.import_marc(source=marc_dir / "marc8.dat")
    made = services.create_record(marc=samples.chinese_marc21().as_dict(), actor=None)

    ids = list(Record.objects.order_by("id").values_list("id", flat=True))
    assert ids[-2] > deleted  # the imported record did not take the deleted record's id
    assert made.pk == ids[-1] > ids[-2] and len(ids) == len(set(ids)) == 11
