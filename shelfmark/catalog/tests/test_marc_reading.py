import io

import pymarc
import pytest

from shelfmark.catalog.marc.reading import MarcEntry, iter_marc
from shelfmark.catalog.tests import marc_samples as samples


def read(entry: MarcEntry) -> pymarc.Record:
    assert entry.record is not None, entry.error
    return entry.record


def test_broken_records_are_reported_where_pymarc_fails_and_the_good_ones_are_read(marc_dir):
    path = marc_dir / "bad_records.mrc"
    with path.open("rb") as fh:
        pymarc_good = [record is not None for record in pymarc.MARCReader(fh, permissive=True)]

    entries = list(iter_marc(path))

    assert [entry.record is not None for entry in entries] == pymarc_good
    assert [entry.position for entry in entries if entry.error] == [2, 3, 4, 5, 6, 7, 9]
    assert [entry.offset for entry in entries] == [0, 127, 254, 381, 509, 637, 764, 790, 917]
    errors = {entry.position: entry.error for entry in entries}
    assert errors[2] == "leader: base address of data 99937 lies beyond the record (127 bytes)"
    assert errors[5] == "directory holds non-ASCII bytes"
    assert errors[6] == "leader: base address of data 'f0037' is not a number"
    assert errors[7] == "record has no fields: its directory is empty"
    assert errors[9] == "record is truncated: the leader gives 127 bytes, only 100 are there"
    assert read(entries[0])["245"]["a"] == "The pragmatic programmer : "
    assert entries[4].raw == path.read_bytes()[509:637]


def test_trailing_line_end_after_the_last_record_is_not_a_record(marc_dir):
    entries = list(iter_marc(marc_dir / "testunimarc.dat"))

    assert len(entries) == 1
    assert entries[0].error is None and read(entries[0])["200"]["f"] == "Isaac Asimov"


def test_marc8_diacritics_are_decoded(marc_dir):
    (entry,) = iter_marc(marc_dir / "marc8.dat")

    assert entry.encoding == "marc-8"
    assert read(entry)["240"]["a"] == "De la solitude à la communauté."


def test_utf8_without_the_leader_flag_is_detected_and_reads_like_its_marc8_twin(marc_dir):
    (utf8,) = iter_marc(marc_dir / "utf8_without_leader_flag.dat")
    (marc8,) = iter_marc(marc_dir / "marc8.dat")

    assert utf8.encoding == "utf-8"
    assert read(utf8).as_dict()["fields"] == read(marc8).as_dict()["fields"]
    assert str(read(utf8).leader)[9] == "a"  # the decoded record is Unicode and says so


def test_marcxml_collections_are_read_record_by_record(marc_dir):
    entries = list(iter_marc(marc_dir / "batch.xml"))

    assert [(entry.position, entry.offset, entry.error) for entry in entries] == [(1, -1, None), (2, -1, None)]
    assert read(entries[1])["245"]["a"] == "The White House"
    assert read(next(iter(iter_marc(marc_dir / "utf8.xml"))))["001"].data == "ASP925318/clmu"


def test_gb18030_cnmarc_is_recognised_without_being_told():
    raw = samples.iso2709(samples.cnmarc(), encoding="gb18030")

    (entry,) = iter_marc(io.BytesIO(raw))

    assert entry.error is None and entry.encoding == "gb18030"
    assert read(entry)["200"]["a"] == "辽宁　地方志"
    assert read(entry)["210"]["c"] == "辽宁人民出版社"


def test_bytes_that_do_not_decode_in_the_named_encoding_are_reported_with_field_and_subfield():
    raw = samples.iso2709(samples.cnmarc(), encoding="gb18030")

    (entry,) = iter_marc(io.BytesIO(raw), encoding="utf-8")

    assert entry.record is None
    assert str(entry.error).startswith("field 200 $a is not valid utf-8 (byte 0x")


def test_a_wrong_record_length_resynchronises_on_the_record_terminator():
    good = samples.iso2709(samples.cnmarc())
    wrong = b"00999" + good[5:]  # the leader claims more bytes than the record has

    entries = list(iter_marc(io.BytesIO(wrong + good + b"\r\n" + good)))

    assert [(e.position, e.offset, e.error is None) for e in entries] == [
        (1, 0, False),
        (2, len(good), True),
        (3, 2 * len(good) + 2, True),
    ]
    assert entries[0].error == (
        f"leader: record length 999 does not end at a record terminator (found one after {len(good)} bytes)"
    )


def test_files_larger_than_a_read_block_stream_through(marc_dir):
    data = (marc_dir / "marc.dat").read_bytes() * 60  # 1.2 MB, more than one read block

    entries = list(iter_marc(io.BufferedReader(io.BytesIO(data))))

    assert len(entries) == 1200 and all(entry.error is None for entry in entries)
    assert entries[-1].offset + len(entries[-1].raw) == len(data)


def test_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="unknown MARC encoding 'latin-9'"):
        list(iter_marc(io.BytesIO(b""), encoding="latin-9"))
