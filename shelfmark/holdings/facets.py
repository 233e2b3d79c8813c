"""The catalogue facet "library holding it" (馆藏馆): records counted by the home libraries of their items.

Registered with the catalogue's search (`catalog.search.facets.register`) when the app is ready; the
catalogue's own `library` facet stays the cataloguing library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.search.facets import FacetValue, Sql
from shelfmark.core.errors import InvalidInput
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library

_ITEMS = Item._meta.db_table
_LIBRARIES = Library._meta.db_table


class HoldingLibrary:
    """Hits counted once per library holding at least one copy that is not withdrawn."""

    key = "holding_library"
    label: Any = _("馆藏馆")
    limit = 20

    def group_sql(self, source: str) -> Sql:
        group = (
            f"SELECT i.home_library_id AS v, count(DISTINCT i.record_id) AS n FROM {source} h "
            f"JOIN {_ITEMS} i ON i.record_id = h.record_id WHERE i.status <> %s GROUP BY i.home_library_id"
        )
        return (
            f"SELECT CAST(g.v AS text), g.n, l.name FROM ({group}) g LEFT JOIN {_LIBRARIES} l ON l.id = g.v",
            [ItemStatus.WITHDRAWN.value],
        )

    def values(self, counts: Sequence[tuple[str, int, str | None]]) -> list[FacetValue]:
        # Ties go by name, not by id: ids differ between databases, names are what people read.
        top = sorted(counts, key=lambda item: (-item[1], item[2] or item[0], item[0]))[: self.limit]
        return [FacetValue(value, label or value, n) for value, n, label in top]

    def where(self, value: str) -> Sql:
        if not value.isdigit():
            raise InvalidInput(f"{self.key} must be a library id, not {value!r}", field=self.key)
        return (
            f"EXISTS (SELECT 1 FROM {_ITEMS} i WHERE i.record_id = f.record_id "
            "AND i.home_library_id = %s AND i.status <> %s)",
            [int(value), ItemStatus.WITHDRAWN.value],
        )
