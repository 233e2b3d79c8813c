"""Slow tier: the Library of Congress file BooksAll.2016.part01.utf8 (250,000 MARC21 records, 8,030 in Chinese
with 880 vernacular fields) imported whole, searched in Chinese, pinyin and traditional characters, and exported.

The file comes from the pymarc 5.4.0 source distribution (bench/loc.py), cached in SHELFMARK_CACHE_DIR or
~/.cache/shelfmark. Run with `make test-slow`.
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc
import pymarc
import pytest
from django.core.management import call_command
from django.db import connection

from bench import loc
from shelfmark.catalog import services
from shelfmark.catalog.importing import ImportSummary
from shelfmark.catalog.isbn import to_13
from shelfmark.catalog.models import Record
from shelfmark.catalog.search import index
from shelfmark.catalog.search.selectors import search
from shelfmark.catalog.text import has_cjk, title_key
from shelfmark.core.models import AuditEvent

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CACHE = Path(os.environ.get("SHELFMARK_CACHE_DIR") or Path.home() / ".cache" / "shelfmark")
_S2T = opencc.OpenCC("s2t")


@dataclass(frozen=True)
class Source:
    """What pymarc itself reads in the file, kept small: counts, the Chinese records' 880 titles, and where the
    last record of each control number starts (an import that matches keeps the last one read)."""

    path: Path
    records: int
    chinese: int
    vernacular: dict[str, str]  # control number → 880 title proper ($a) of a Chinese record
    isbns: dict[str, list[str]]  # control number → 020 $a of a Chinese record with an 880 title
    offsets: dict[str, int]

    def record(self, control_number: str) -> pymarc.Record:
        with self.path.open("rb") as fh:
            fh.seek(self.offsets[control_number])
            return next(iter(pymarc.MARCReader(fh, to_unicode=True, permissive=True)))


@dataclass(frozen=True)
class Loaded:
    path: Path
    summary: ImportSummary
    seconds: float


@pytest.fixture(scope="module")
def source() -> Source:
    path = loc.loc_file(CACHE)
    records, chinese, vernacular, isbns, offsets = 0, 0, {}, {}, {}
    with path.open("rb") as fh:
        offset = 0
        for raw in loc.raw_records(fh):
            record = pymarc.Record(data=raw, to_unicode=True)
            records += 1
            offsets[record["001"].data.strip()] = offset
            offset += len(raw)
            if record["008"].data[35:38] != "chi":
                continue
            chinese += 1
            linked = [f for f in record.get_fields("880") if f.get("6", "").startswith("245")]
            if linked:
                number = record["001"].data.strip()
                vernacular[number] = linked[0].get("a", "")
                isbns[number] = [f["a"].split()[0] for f in record.get_fields("020") if f.get("a")]
    return Source(path, records, chinese, vernacular, isbns, offsets)


@pytest.fixture(scope="module")
def loaded(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    """Import the whole file once for the module (committed, as `shelfmark import-marc` does), then empty the
    catalogue again so that other tests in the same session see none of it."""
    path = loc.loc_file(CACHE)
    rejects = tmp_path_factory.mktemp("loc") / "BooksAll.rejects"
    with django_db_blocker.unblock():
        events_before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        started = time.perf_counter()
        summary = services.import_marc(source=path, reject_path=rejects)
        seconds = time.perf_counter() - started
        try:
            yield Loaded(path, summary, seconds)
        finally:
            index.backend().clear()
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {Record._meta.db_table}")
            AuditEvent.objects.filter(id__gt=events_before).delete()


def test_the_whole_file_lands_with_its_counts(loaded, source):
    # given the LoC file, 250,000 records that pymarc reads without an error, each with its own control number
    assert source.records == len(source.offsets) == loc.LOC_RECORDS
    # when it was imported with the default ISBN matching
    summary = loaded.summary
    # then every record was read and none rejected; 624 that share an ISBN-13 with an earlier one (volumes of
    # a set) updated it instead of landing twice
    assert (summary.read, summary.created, summary.updated, summary.rejected) == (loc.LOC_RECORDS, 249_376, 624, 0)
    assert Record.objects.count() == summary.created
    assert summary.reject_files == []
    print(f"\nLoC import: {summary.line()} in {loaded.seconds:.0f} s ({summary.read / loaded.seconds:,.0f} records/s)")


def test_chinese_records_show_their_vernacular_title_with_the_romanised_one_kept(loaded, source):
    # given the 8,030 Chinese records, 8,020 of them with an 880 title
    assert source.chinese == loc.LOC_CHINESE
    assert len(source.vernacular) == 8_020
    rows = Record.objects.filter(control_number__in=list(source.vernacular))
    landed = {number: (language, title, romanised) for number, language, title, romanised in
              rows.values_list("control_number", "language", "title", "title_romanized")}  # fmt: skip
    # then each landed as a Chinese record titled by its 880 (its title proper first, then part names; in
    # Chinese characters but for two: "WTO" and an English title), the LoC pinyin kept beside it
    assert len(landed) == 7_946
    assert all(language == "chi" for language, _title, _romanised in landed.values())
    assert all(title_key(title).startswith(title_key(source.vernacular[n])) for n, (_l, title, _r) in landed.items())
    assert sum(has_cjk(title) for _language, title, _romanised in landed.values()) == 7_944
    assert all(romanised and not has_cjk(romanised) for _language, _title, romanised in landed.values())
    # and the 74 others were volumes of a set merged into the record of their shared ISBN
    merged = set(source.vernacular) - set(landed)
    assert len(merged) == 74
    shared = {to_13(isbn) for number in merged for isbn in source.isbns[number]} - {""}
    assert len(shared) >= 1 and Record.objects.filter(isbn__in=shared).count() == len(shared)
    assert all(any(to_13(isbn) in shared for isbn in source.isbns[number]) for number in merged)


def _first_page(q: str) -> list[Record]:
    return search(q, per_page=20, facets=False).hits


@pytest.mark.parametrize(
    ("q", "control_number"),
    [
        ("读书生涯", "00291253"),  # 鲁迅读書生涯: simplified words find a mixed-script title
        ("讀書生涯", "00291253"),  # traditional forms find it too
        ("鲁迅 读书", "00291253"),
        ("luxun dushu shengya", "00291253"),  # pinyin, word by word
        ("lxdssy", "00291253"),  # initials of the whole vernacular title
        ("寻觅 故乡", "00409453"),  # 尋覓内心的故鄉, catalogued in traditional characters
        ("xunmi guxiang", "00409453"),
        ("台湾 赏花", "00706902"),  # 台灣四季賞花導覽
        ("賞花導覽", "00706902"),
        ("孔子思想研究", "00415501"),
        ("kzsxyj", "00415501"),
        ("author:刘明祥", "00505487"),  # 紧急避险硏究 / 刘明祥著: the vernacular name from 880 100
        ("緊急避險研究", "00505487"),  # 硏 is a variant of 研
        ("建材工业五十年, 1949-1999", "00387685"),  # years that also read as an ISSN
    ],
)
def test_chinese_titles_are_found_by_words_pinyin_and_either_script(loaded, q, control_number):
    assert control_number in [hit.control_number for hit in _first_page(q)]


def test_every_sampled_vernacular_title_finds_its_record_first_in_either_script(loaded, source):
    # given every 40th Chinese record that landed with its 880 title (199 records)
    landed = Record.objects.filter(control_number__in=list(source.vernacular)).values_list("control_number", flat=True)
    numbers = sorted(landed)[::40]
    records = {r.control_number: r for r in Record.objects.filter(control_number__in=numbers)}
    assert len(records) == len(numbers) == 199
    misses = []
    for number in numbers:
        record = records[number]
        title = source.vernacular[number]
        for q in {title, _S2T.convert(title)}:
            # when a reader types the title, in the script catalogued or in traditional characters
            hits = _first_page(q)
            # then a record with exactly that title comes first, and this one is on the first page
            if not hits or hits[0].title_key != record.title_key or record.pk not in [h.pk for h in hits]:
                misses.append((number, q))
    assert misses == []


def test_export_round_trips_every_record(loaded, source, tmp_path):
    # given the imported catalogue
    out = tmp_path / "export.mrc"
    # when it is exported as ISO 2709
    call_command("export_marc", f"--out={out}")
    # then pymarc reads back, record for record, what the file held (the last record read of a merged ISBN)
    exported = differ = 0
    with out.open("rb") as fh:
        for record in pymarc.MARCReader(fh, to_unicode=True):
            exported += 1
            # The import keeps text in NFC; LoC writes accents decomposed (e + U+0301).
            original = _nfc(source.record(record["001"].data.strip()).as_dict())
            ours = record.as_dict()
            differ += ours["fields"] != original["fields"] or _lasting(ours["leader"]) != _lasting(original["leader"])
    assert (exported, differ) == (Record.objects.count(), 0)


def _lasting(leader: str) -> str:
    """The leader without the record length and base address, which the writer recomputes."""
    return leader[5:12] + leader[17:]


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(item) for item in value]
    if isinstance(value, dict):
        return {key: _nfc(item) for key, item in value.items()}
    return value
