"""Catalogue test helpers: where the shared MARC samples are, and a stand-in search index."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# <repo>/../shared/data/marc: CI clones the repo beside shared/, as on the development machine.
MARC_DIR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "marc"


@pytest.fixture
def marc_dir() -> Path:
    """The folder of real MARC samples described by its MANIFEST.md."""
    return MARC_DIR


@dataclass
class IndexCalls:
    indexed: list[list[int]] = field(default_factory=list)
    removed: list[list[int]] = field(default_factory=list)

    @property
    def indexed_ids(self) -> list[int]:
        return [pk for call in self.indexed for pk in call]


@pytest.fixture
def index_calls(monkeypatch: pytest.MonkeyPatch) -> IndexCalls:
    """Replace the search index with a recorder, for tests of writes that must not depend on search."""
    import shelfmark.catalog.search as search_package

    calls = IndexCalls()
    fake = types.ModuleType("shelfmark.catalog.search.index")
    fake.index_records = lambda records: calls.indexed.append([record.pk for record in records])  # type: ignore[attr-defined]
    fake.remove_records = lambda ids: calls.removed.append(list(ids))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "shelfmark.catalog.search.index", fake)
    monkeypatch.setattr(search_package, "index", fake, raising=False)
    return calls
