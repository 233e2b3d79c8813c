"""Items travelling inside the network: send with a slip, receive at the destination."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shelfmark.circulation.models import Hold, Transit
from shelfmark.core import events, rows
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import library_by_id


def send(
    *,
    item: Item,
    from_library: Library,
    to_library: Library,
    reason: str,
    actor: Any,
    now: datetime,
    hold: Hold | None = None,
) -> Transit:
    """Put the item in transit to `to_library` (the caller holds the item lock) and record the slip."""
    transit = Transit.objects.create(
        item=item, from_library=from_library, to_library=to_library, reason=reason, hold=hold, sent_at=now
    )
    item_services.change_status(
        item=item, status=ItemStatus.IN_TRANSIT, actor=actor, library=from_library, reason=reason, now=now
    )
    events.record(
        "transit.sent",
        actor=actor,
        target=transit,
        data={"barcode": item.barcode, "from": from_library.code, "to": to_library.code, "reason": reason},
        now=now,
    )
    return transit


def open_transit(item: Item) -> Transit | None:
    """Return the item's transit that has not arrived yet, locked, with its destination and hold."""
    transit = rows.select_one(Transit, "item_id = %s AND received_at IS NULL", [item.pk], lock=True)
    if transit is not None:
        transit.to_library = library_by_id(transit.to_library_id)
    return transit


def receive(*, transit: Transit, library: Library, actor: Any, now: datetime) -> None:
    """Mark the transit arrived at its destination."""
    transit.received_at = now
    transit.save(update_fields=["received_at"])
    events.record("transit.received", actor=actor, target=transit, data={"library": library.code}, now=now)
