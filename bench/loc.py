"""The Library of Congress corpus: `BooksAll.2016.part01.utf8` from the pymarc 5.4.0 source distribution.

250,000 MARC21 records in UTF-8, 8,030 of them in Chinese (008/35-37 `chi`), 8,020 of which carry their
vernacular title and names in linked 880 fields. The benchmark (`bench/catalog.py --real`) and the slow test
tier (`tests/slow/`) both read it from here: downloaded once with pip into a cache folder, never committed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

LOC_FILE = "BooksAll.2016.part01.utf8"
LOC_RECORDS = 250_000
LOC_CHINESE = 8_030
SDIST = "pymarc-5.4.0.tar.gz"
REQUIREMENT = "pymarc==5.4.0"


def loc_file(cache: Path) -> Path:
    """Return the corpus file in `cache`, downloading and unpacking the sdist there the first time.

    `SHELFMARK_LOC_FILE` names a copy already on disk (an offline machine) and skips the download.
    """
    given = os.environ.get("SHELFMARK_LOC_FILE")
    if given:
        return Path(given)
    target = cache / LOC_FILE
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    sdist = cache / SDIST
    if not sdist.exists():
        print(f"downloading the {REQUIREMENT} source distribution for the LoC corpus", file=sys.stderr, flush=True)
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", REQUIREMENT]
        subprocess.run([*pip, "-d", str(cache)], check=True)
    part = target.with_suffix(".part")
    with tarfile.open(sdist) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith(f"/{LOC_FILE}"))
        source = tar.extractfile(member)
        assert source is not None
        with source, part.open("wb") as out:
            shutil.copyfileobj(source, out)
    part.rename(target)
    return target


def raw_records(fh: BinaryIO) -> Iterator[bytes]:
    """Yield each ISO 2709 record's bytes as they are, by the length in its leader, until the file ends."""
    while True:
        leader = fh.read(5)
        if len(leader) < 5 or not leader.isdigit():
            return
        yield leader + fh.read(int(leader) - 5)
