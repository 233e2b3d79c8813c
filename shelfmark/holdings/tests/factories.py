"""Items for tests of any app: `make_item(library=net.county)` gives an available copy of a fresh record."""

from __future__ import annotations

import itertools
from typing import Any

from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import Record
from shelfmark.catalog.tests.web_fixtures import marc_json
from shelfmark.holdings import services
from shelfmark.holdings.models import Item
from shelfmark.libraries.models import Library

_numbers = itertools.count(1)


def make_record(title: str = "辽宁地方志研究", *, library: Library | None = None, **marc: Any) -> Record:
    """Catalogue a small MARC21 book record (indexed for search) through the catalogue's own service."""
    number = next(_numbers)
    marc.setdefault("control_number", f"hold-{number:05d}")
    return catalog.create_record(marc=marc_json(title, **marc), marc_format="marc21", library=library, actor=None)


def make_item(record: Record | None = None, *, library: Library, actor: Any = None, **fields: Any) -> Item:
    """Create an item at `library` through holdings.services.create_item; other fields pass through
    (barcode, item_type, call_number, price, shelving_location, status, now)."""
    return services.create_item(
        record=record if record is not None else make_record(), home_library=library, actor=actor, **fields
    )
