"""One handler per SIP2 request: `HANDLERS[code](ctx, request) -> response`, each calling Shelfmark's services."""

from __future__ import annotations

from collections.abc import Callable

from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.handlers import fees, holds, items, loans, patrons, status
from shelfmark.protocols.sip2.handlers.base import Context, refusal

Handler = Callable[[Context, Message], Message]

HANDLERS: dict[str, Handler] = {
    "93": status.login,
    "99": status.sc_status,
    "23": patrons.patron_status,
    "63": patrons.patron_information,
    "01": patrons.block_patron,
    "35": patrons.end_session,
    "25": patrons.patron_enable,
    "11": loans.checkout,
    "09": loans.checkin,
    "29": loans.renew,
    "65": loans.renew_all,
    "17": items.item_information,
    "19": items.item_status_update,
    "15": holds.hold,
    "37": fees.fee_paid,
}

# Answered before a terminal has logged in; everything else is refused until it has.
BEFORE_LOGIN = frozenset({"93", "99"})

__all__ = ["BEFORE_LOGIN", "HANDLERS", "Context", "Handler", "refusal"]
