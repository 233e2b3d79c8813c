"""The generated Chinese catalogue: valid ISO 2709 that pymarc and yaz read, realistic and deterministic."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pymarc
import pytest
from django.core.management import call_command

from shelfmark.catalog.generate import iter_records, write_catalog
from shelfmark.catalog.generating.books import BookMaker, isbn10_check, isbn13_check
from shelfmark.catalog.generating.words import CLC, PUBLISHERS

CJK = re.compile(r"[\u4e00-\u9fff]")


def read(data: bytes) -> list[pymarc.Record]:
    records = list(pymarc.MARCReader(io.BytesIO(data), to_unicode=True, permissive=True))
    assert all(record is not None for record in records)
    return records


@pytest.fixture(scope="module")
def catalog() -> list[pymarc.Record]:
    return read(b"".join(iter_records(3000, seed=7)))


def isbn_of(record: pymarc.Record) -> str | None:
    field = record.get("010") or record.get("020")
    return field["a"].replace("-", "") if field else None


def test_every_record_is_read_back_by_pymarc(catalog):
    # given 3,000 generated records (fixture) / then all parse, none broken
    assert len(catalog) == 3000


@pytest.mark.skipif(shutil.which("yaz-marcdump") is None, reason="yaz-marcdump is not installed")
def test_yaz_marcdump_reads_every_record_without_complaint(tmp_path):
    # given a file of 300 generated records
    path = tmp_path / "catalog.mrc"
    write_catalog(path, records=300, seed=2)
    # when yaz-marcdump converts it to MARCXML
    result = subprocess.run(
        ["yaz-marcdump", "-f", "utf-8", "-t", "utf-8", "-i", "marc", "-o", "marcxml", str(path)],
        capture_output=True,
        check=False,
    )
    # then it reads all 300 records and says nothing on stderr
    assert result.returncode == 0
    assert result.stderr == b""
    assert result.stdout.count(b"<record") == 300


def test_same_seed_gives_same_bytes_and_a_prefix_does_not_depend_on_the_total():
    # given / when the catalogue is generated twice with a seed, and with another seed
    first = list(iter_records(200, seed=5))
    again = list(iter_records(200, seed=5))
    longer = list(iter_records(400, seed=5))
    other = list(iter_records(200, seed=6))
    # then
    assert first == again
    assert longer[:200] == first
    assert other != first


def test_both_formats_are_mixed_at_the_requested_share(catalog):
    # given the catalogue generated with the default share / then about half is CNMARC
    cnmarc = sum(1 for record in catalog if record.get("200"))
    assert 1300 < cnmarc < 1700
    # and a share of 0 or 1 gives one format only
    assert all(r.get("245") for r in read(b"".join(iter_records(50, seed=1, cnmarc_share=0))))
    assert all(r.get("200") for r in read(b"".join(iter_records(50, seed=1, cnmarc_share=1))))


def test_cnmarc_records_carry_title_imprint_names_class_and_language(catalog):
    # given the CNMARC records
    cnmarc = [record for record in catalog if record.get("200")]
    # then each has the CNMARC fields cataloguers fill in, in Chinese
    for record in cnmarc:
        assert CJK.search(record["200"]["a"])
        assert record["200"]["f"]
        assert record["210"]["a"] and record["210"]["c"] and record["210"]["d"].isdigit()
        assert record["701"]["a"] and record["701"]["4"]
        assert record["690"]["a"][0] in CLC
        assert record["606"]["a"]
        assert record["101"]["a"] == "chi"
        assert len(record["100"]["a"]) == 36
        assert record.leader[20:24] == "450 "


def test_marc21_records_pair_pinyin_fields_with_linked_880_original_script(catalog):
    # given the MARC21 records
    marc21 = [record for record in catalog if record.get("245")]
    for record in marc21:
        # then 245 is romanised and linked to an 880 in Chinese through $6
        title = record["245"]
        assert not CJK.search(title["a"])
        link = title["6"]
        assert link.startswith("880-")
        originals = [f for f in record.get_fields("880") if f["6"] == f"245-{link[4:]}/$1"]
        assert len(originals) == 1
        assert CJK.search(originals[0]["a"])
        assert record["008"].data[35:38] == "chi"
        assert len(record["008"].data) == 40
        assert record["084"]["2"] == "clc"
        assert record["650"]["a"]
        assert (record.get("264") or record.get("260"))["c"][:4].isdigit()


def test_isbns_have_valid_check_digits_with_some_isbn10_and_about_one_percent_duplicates(catalog):
    # given the ISBNs of the catalogue
    isbns = [isbn for isbn in map(isbn_of, catalog) if isbn]
    # then every check digit is right
    for isbn in isbns:
        if len(isbn) == 13:
            assert isbn.startswith("9787")
            assert isbn[12] == isbn13_check(isbn[:12])
        else:
            assert len(isbn) == 10
            assert isbn[9] == isbn10_check(isbn[:9])
    assert sum(1 for isbn in isbns if len(isbn) == 10) > 100
    duplicates = sum(count - 1 for count in Counter(isbns).values())
    assert 5 <= duplicates <= 3000 * 0.03


def test_titles_cover_every_clc_main_class_and_some_are_traditional_spaced_or_local(catalog):
    # given the catalogue
    classes = Counter((r.get("690") or r.get("084"))["a"][0] for r in catalog)
    titles = [
        r["200"]["a"] if r.get("200") else next(f["a"] for f in r.get_fields("880") if f["6"].startswith("245"))
        for r in catalog
    ]
    # then all 22 CLC main classes appear, and the realistic oddities are there
    assert set(classes) == set(CLC) and len(CLC) == 22
    assert any("\u3000" in title for title in titles)
    assert any(ch in "".join(titles) for ch in "學國圖書與遼")
    local = [r for r in catalog if r.get("607") or r.get("651")]
    assert len(local) > 50
    assert all((r.get("690") or r.get("084"))["a"].startswith("K293") for r in local)


def test_no_isbn_before_1987_but_a_unified_book_number(catalog):
    # given CNMARC records of books published before China adopted ISBN
    old = [r for r in catalog if r.get("200") and int(r["210"]["d"]) < 1987]
    # then they carry the unified book number (统一书号) instead
    assert old
    assert all(r.get("010") is None and r["091"]["a"] for r in old)


def test_command_writes_the_requested_number_of_records(tmp_path):
    # given an output path
    out = tmp_path / "generated.mrc"
    # when the command runs
    call_command("generate_catalog", records=120, out=str(out), seed=9, cnmarc_share=0.3, stderr=io.StringIO())
    # then the file holds 120 records, the same as the Python API writes
    data = out.read_bytes()
    assert len(read(data)) == 120
    buffer = io.BytesIO()
    assert write_catalog(buffer, records=120, seed=9, cnmarc_share=0.3) == 120
    assert buffer.getvalue() == data


def test_zero_records_writes_an_empty_file(tmp_path):
    # given / when
    out = Path(tmp_path / "empty.mrc")
    assert write_catalog(out, records=0) == 0
    # then
    assert out.read_bytes() == b""


def test_local_documents_and_legal_deposit_copies_are_flagged_in_998(catalog):
    # given the records whose subject is a Liaoning place, and those flagged as deposit copies
    local = [r for r in catalog if r.get("607") or r.get("651")]
    flagged = {id(r) for r in catalog for f in r.get_fields("998") if "地方文献" in f.get_subfields("a")}
    deposit = [r for r in catalog for f in r.get_fields("998") if "呈缴本" in f.get_subfields("a")]
    # then every local document carries the 地方文献 flag, and some Liaoning books are deposit copies
    assert {id(r) for r in local} == flagged
    assert deposit
    assert all(
        ((r.get("210") or r.get("880"))["a"]).startswith(("沈阳", "大连", "Shenyang", "Dalian"))
        for r in deposit
        if r.get("210")
    )


def test_a_publisher_whose_isbn_range_is_used_up_hands_books_to_a_large_one():
    # given a maker in which every publisher but the 2-digit-prefix ones has used all its numbers
    maker = BookMaker(random.Random(3))
    for _name, _place, prefix in PUBLISHERS:
        if len(prefix) > 2:
            maker.counters[prefix] = 10 ** (8 - len(prefix))
    # when more books are made
    books = [maker.make() for _ in range(300)]
    # then every ISBN comes from a publisher with room, so no number is handed out twice
    isbns = [b.isbn.replace("-", "")[-10:-1] for b in books if b.isbn]
    assert len(isbns) == len(set(isbns)) > 100
    assert {b.isbn.split("-")[-3] for b in books if b.isbn} <= {p for _, _, p in PUBLISHERS if len(p) == 2}
