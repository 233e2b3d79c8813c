"""Where a copy goes when no hold claims it: back on this library's shelf, or in transit to its home library."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shelfmark.circulation import selectors
from shelfmark.circulation.models import Transit
from shelfmark.circulation.rules import NoRuleApplies, ReturnRoute
from shelfmark.circulation.services import transit as transits
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library


def route_home(
    *, item: Item, library: Library, patron_category: str, actor: Any, now: datetime, audit: bool = True
) -> tuple[ReturnRoute, Transit | None]:
    """Shelve the copy here when the return policy lets it stay, else send it home (caller holds the lock).

    `audit=False` when the caller's own audit event already names the item and the library.
    """
    home = item.home_library
    if home.pk == library.pk:
        route = ReturnRoute(stays=True, reason="")
    else:
        try:
            rule = selectors.rule_for(library=library, patron_category=patron_category, item_type=item.item_type).rule
            route = selectors.return_route(rule=rule, home_library=home, returned_at=library)
        except NoRuleApplies:
            route = ReturnRoute(stays=False, reason="")
    if route.stays:
        item_services.change_status(
            item=item, status=ItemStatus.AVAILABLE, actor=actor, library=library, audit=audit, now=now
        )
        return route, None
    transit = transits.send(
        item=item, from_library=library, to_library=home, reason=Transit.Reason.RETURN_HOME, actor=actor, now=now
    )
    return route, transit
