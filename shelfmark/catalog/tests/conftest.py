"""Catalogue test helpers: where the shared MARC samples are, and a recorder standing in for the index."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from shelfmark.catalog.tests.web_fixtures import Staff, make_staff
from shelfmark.libraries.tests.factories import Network, make_network

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
    """Record what writes hand to the search index instead of indexing (for tests that are not about search)."""
    from shelfmark.catalog.search import index

    calls = IndexCalls()
    monkeypatch.setattr(index, "index_records", lambda records, **_: calls.indexed.append([r.pk for r in records]))
    monkeypatch.setattr(index, "remove_records", lambda ids: calls.removed.append(list(ids)))
    return calls


@pytest.fixture
def net() -> Network:
    """The five-level test network."""
    return make_network()


@pytest.fixture
def staff(net: Network) -> Staff:
    """One staff login per role and place of the permission matrix."""
    return make_staff(net)
