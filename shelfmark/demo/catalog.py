"""The demo catalogue: the real MARC samples shipped beside the repository plus a generated Chinese catalogue.

Both go through the real import service, matched on control number, so running the demo again updates
the same records instead of adding copies; the generated part is skipped when it is already loaded.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shelfmark
from shelfmark.catalog.generate import control_prefix, write_catalog
from shelfmark.catalog.models import Record
from shelfmark.catalog.services import import_marc
from shelfmark.libraries.models import Library

GENERATED_RECORDS = 2000
GENERATED_SEED = 2026
# Files of the shared samples that show broken input on purpose: the import page demonstrates them, the demo does not.
SKIPPED_SAMPLES = frozenset({"bad_records.mrc"})
SAMPLE_SUFFIXES = frozenset({".dat", ".mrc", ".xml"})


def samples_dir() -> Path:
    """Where the real MARC samples live in a checkout: `<repo>/../shared/data/marc`."""
    return Path(shelfmark.__file__).resolve().parents[1] / ".." / "shared" / "data" / "marc"


def sample_files(folder: Path) -> list[Path]:
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix in SAMPLE_SUFFIXES and path.name not in SKIPPED_SAMPLES and path.is_file()
    )


def load_catalog(
    *,
    library: Library,
    records: int = GENERATED_RECORDS,
    samples: Path | None = None,
    note: Callable[[str], Any] = print,
) -> dict[str, int]:
    """Import the real samples (when present) and a generated catalogue; return the catalogue counts."""
    folder = samples_dir() if samples is None else samples
    counts = {"samples_read": 0, "samples_rejected": 0, "generated": 0, "generated_rejected": 0}
    if folder.is_dir():
        for path in sample_files(folder):
            summary = import_marc(source=path, library=library, match="control-number")
            counts["samples_read"] += summary.read
            counts["samples_rejected"] += summary.rejected
    else:
        note(f"MARC samples not found at {folder}: skipped (the generated catalogue is still loaded)")
    loaded = Record.objects.filter(control_number__startswith=control_prefix(GENERATED_SEED)).count()
    if loaded >= records:
        # Already there from an earlier run: re-importing would only rewrite the same rows, for seconds.
        counts["generated"] = loaded
    else:
        with tempfile.TemporaryDirectory(prefix="shelfmark-demo-") as tmp:
            path = Path(tmp) / "generated.mrc"
            write_catalog(path, records=records, seed=GENERATED_SEED)
            summary = import_marc(source=path, library=library, match="control-number")
        counts["generated"] = summary.read - summary.rejected
        counts["generated_rejected"] = summary.rejected
    counts["records"] = Record.objects.count()
    counts["local_documents"] = Record.objects.filter(is_local_document=True).count()
    return counts
