import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pymarc
import pytest
from django.core.management import call_command

from shelfmark.catalog import services
from shelfmark.catalog.marc.reading import iter_marc
from shelfmark.catalog.models import Record
from shelfmark.catalog.tests import marc_samples as samples

pytestmark = pytest.mark.django_db

YAZ = shutil.which("yaz-marcdump") or "/usr/bin/yaz-marcdump"


def yaz_records(path: Path, *args: str) -> list[dict[str, Any]]:
    """Read a file with yaz-marcdump as MARC-in-JSON (it prints one JSON object per record)."""
    out = subprocess.run([YAZ, *args, "-o", "json", str(path)], capture_output=True, check=True, text=True).stdout
    decoder, records, at = json.JSONDecoder(), [], 0
    while at < len(out):
        if out[at].isspace():
            at += 1
            continue
        record, at = decoder.raw_decode(out, at)
        records.append(record)
    return records


def same_leader(a: str, b: str) -> bool:
    """Leaders agree except for the record length and base address the writer recomputes."""
    return a[5:12] + a[17:] == b[5:12] + b[17:]


@pytest.fixture
def catalogue(marc_dir) -> list[dict[str, Any]]:
    for path in sorted(marc_dir.iterdir()):
        if path.name != "MANIFEST.md":
            services.import_marc(source=path, match="none")
    services.import_marc(source=io.BytesIO(samples.iso2709(samples.chinese_marc21())), match="none")
    services.import_marc(source=io.BytesIO(samples.iso2709(samples.cnmarc(), "gb18030")), match="none")
    return list(Record.objects.order_by("id").values_list("marc", flat=True))


@pytest.mark.parametrize(("fmt", "yaz_args"), [("iso2709", ()), ("marcxml", ("-i", "marcxml"))])
def test_export_round_trips_through_pymarc_and_yaz(catalogue, tmp_path, fmt, yaz_args):
    out = tmp_path / f"export.{fmt}"

    call_command("export_marc", f"--format={fmt}", f"--out={out}")

    assert len(catalogue) == 52
    ours = [entry.record.as_dict() for entry in iter_marc(out) if entry.record is not None]
    if fmt == "iso2709":
        with out.open("rb") as fh:
            theirs = [r.as_dict() for r in pymarc.MARCReader(fh, to_unicode=True) if r is not None]
    else:
        theirs = [r.as_dict() for r in pymarc.parse_xml_to_array(str(out))]
    yaz = yaz_records(out, *yaz_args)
    for reader in (ours, theirs, yaz):
        assert len(reader) == len(catalogue)
        assert [r["fields"] for r in reader] == [m["fields"] for m in catalogue]
        assert all(same_leader(r["leader"], m["leader"]) for r, m in zip(reader, catalogue, strict=True))


def test_export_with_a_query_writes_only_what_the_search_finds(tmp_path):
    services.import_marc(source=io.BytesIO(samples.iso2709(samples.chinese_marc21())))
    services.import_marc(source=io.BytesIO(samples.iso2709(samples.cnmarc())), match="none")  # same ISBN
    out = tmp_path / "found.mrc"

    call_command("export_marc", "--query=红楼梦", f"--out={out}")

    (entry,) = iter_marc(out)
    assert entry.record is not None and entry.record["245"]["a"] == "Hong lou meng /"
