"""What every circulation service shares: the event log, overrides, and the reader's pseudonymous key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shelfmark.accounts import permissions
from shelfmark.circulation.errors import CirculationRefusal, OverrideNotAllowed
from shelfmark.circulation.models import CirculationEvent
from shelfmark.core import rows
from shelfmark.holdings.models import Item
from shelfmark.libraries.models import Library


def log_event(kind: str, *, reader_key: str, patron_category: str, item: Item, library: Library, now: datetime) -> None:
    """Append one pseudonymised row to the circulation event log that analytics and recommendations read."""
    rows.insert(
        CirculationEvent(
            kind=kind,
            at=now,
            reader_key=reader_key,
            patron_category=patron_category,
            item_id=item.pk,
            record_id=item.record_id,
            library=library,
            item_type=item.item_type,
        )
    )


def refuse_unless_overridden(
    refusal: CirculationRefusal, *, override_reason: str, actor: Any, library: Library, overridden: list[str]
) -> None:
    """Raise the refusal, unless staff allowed to override gave a reason and the refusal may be overridden."""
    if not override_reason.strip():
        raise refusal
    if not refusal.overridable:
        raise OverrideNotAllowed(refusal=refusal.code)
    permissions.require(actor, "circulation.override", library)
    overridden.append(refusal.code)
