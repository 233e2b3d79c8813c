"""A member's MARC file (ISO 2709 or MARCXML, MARC 21 or CNMARC) loads into its source's records: broken ones
are reported with their reasons and skipped, loading it again changes nothing, a whole-catalogue file marks what
is gone as deleted."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from shelfmark.union_catalog import harvesting
from shelfmark.union_catalog.models import ClusterMember, HarvestRun, SourceHolding, SourceRecord

from .conftest import MARC_DIR, file_source
from .records import cnmarc, field, marc21, write

pytestmark = pytest.mark.django_db


def test_broken_records_are_rejected_with_their_reasons_and_the_others_land(net, tmp_path):
    # given a member file of ten good records followed by the seven broken ones and two without a 001
    mixed = tmp_path / "export.mrc"
    mixed.write_bytes((MARC_DIR / "test.dat").read_bytes() + (MARC_DIR / "bad_records.mrc").read_bytes())
    source = file_source(net)

    # when it is loaded
    run = harvesting.load_file(source=source, path=mixed)

    # then the ten landed and each of the nine others is named with what is wrong
    assert (run.status, run.read, run.new, run.rejected) == (HarvestRun.Status.DONE, 19, 10, 9)
    reasons = {reject["identifier"]: reject["reason"] for reject in run.rejects}
    assert reasons["#12"] == "leader: base address of data 99937 lies beyond the record (127 bytes)"
    assert reasons["#14"] == "directory length 13 is not a multiple of 12"
    assert reasons["#11"] == "the record has no 001 control number, so a later file cannot update it"
    assert len(reasons) == 9
    assert SourceRecord.objects.filter(source=source, deleted=False).count() == 10
    assert ClusterMember.objects.filter(source_record__source=source, active=True).count() == 10


def test_loading_the_same_file_again_changes_nothing_and_a_whole_catalogue_file_deletes_what_is_gone(net, tmp_path):
    # given a member whose ten records were loaded
    source = file_source(net)
    harvesting.load_file(source=source, path=MARC_DIR / "test.dat")
    before = list(SourceRecord.objects.filter(source=source).values_list("id", "digest", "updated_at"))

    # when the same file comes again
    again = harvesting.load_file(source=source, path=MARC_DIR / "test.dat")

    # then every record is unchanged and nothing was rewritten
    assert (again.read, again.new, again.updated, again.unchanged) == (10, 0, 0, 10)
    assert list(SourceRecord.objects.filter(source=source).values_list("id", "digest", "updated_at")) == before

    # when the member sends its whole catalogue, now one UNIMARC record
    run = harvesting.load_file(source=source, path=MARC_DIR / "testunimarc.dat", replace=True)

    # then the ten it no longer has are tombstones and their members leave clustering
    assert (run.new, run.deleted) == (1, 10)
    assert SourceRecord.objects.filter(source=source, deleted=True).count() == 10
    assert ClusterMember.objects.filter(source_record__source=source, active=True).count() == 1


def test_cnmarc_and_marcxml_files_bring_their_copies(net, tmp_path):
    # given a CNMARC export with 905 copies (one at a library this network does not know) and a MARCXML file
    export = write(
        tmp_path / "interlib.iso",
        [
            cnmarc(
                "辽海丛书",
                control_number="IL-1",
                statement="金毓黻辑",
                publisher="辽沈书社",
                year=1985,
                holdings=[
                    field("905", ("a", "LN-SY-KP"), ("b", "KP0001"), ("d", "K293.1"), ("e", "7")),
                    field("905", ("a", "XJ-01"), ("b", "XJ0001"), ("d", "K293.1")),
                ],
            ),
            marc21("奉天通志", control_number="IL-2", year=1934, holdings=[field("852", ("b", "LN-SY"), ("p", "SY9"))]),
        ],
    )
    shutil.copy(MARC_DIR / "batch.xml", tmp_path / "batch.xml")
    source = file_source(net)

    # when both are loaded
    iso = harvesting.load_file(source=source, path=export)
    xml = harvesting.load_file(source=source, path=tmp_path / "batch.xml")

    # then the records landed with their copies, libraries resolved by code where the network has it
    assert (iso.new, iso.rejected, xml.new, xml.rejected) == (2, 0, 2, 0)
    copies = SourceHolding.objects.order_by("barcode").values_list(
        "library_code", "library_id", "barcode", "call_number"
    )
    assert list(copies) == [
        ("LN-SY-KP", net.county.pk, "KP0001", "K293.1/7"),
        ("LN-SY", net.city.pk, "SY9", ""),
        ("XJ-01", None, "XJ0001", "K293.1"),
    ]
    cnmarc_member = ClusterMember.objects.get(source_record__identifier="IL-1")
    assert (cnmarc_member.marc_format, cnmarc_member.title, cnmarc_member.year) == ("cnmarc", "辽海丛书", 1985)


def test_the_harvest_command_loads_a_file_and_prints_the_run_log(net, tmp_path):
    # given a file source and a member file with broken records in it
    mixed = tmp_path / "export.mrc"
    mixed.write_bytes((MARC_DIR / "test.dat").read_bytes() + (MARC_DIR / "bad_records.mrc").read_bytes())
    source = file_source(net)
    out = io.StringIO()

    # when `shelfmark harvest LN-AS --file export.mrc` runs
    call_command("harvest", "LN-AS", "--file", str(mixed), "--no-progress", stdout=out)

    # then it prints the run's counts and each reject with its reason
    lines = out.getvalue().splitlines()
    run = HarvestRun.objects.get(source=source)
    assert lines[0] == f"LN-AS run #{run.pk}: read=19 new=10 updated=0 unchanged=0 deleted=0 rejected=9"
    assert "  rejected #14: directory length 13 is not a multiple of 12" in lines
    assert len(lines) == 10


def test_the_harvest_command_names_an_unknown_source_and_a_source_of_another_way(net):
    file_source(net)
    with pytest.raises(CommandError, match="No member source has the code 'XX'"):
        call_command("harvest", "XX", "--no-progress")
    with pytest.raises(CommandError, match="MARC"):
        call_command("harvest", "LN-AS", "--no-progress")
    assert not HarvestRun.objects.exists()
