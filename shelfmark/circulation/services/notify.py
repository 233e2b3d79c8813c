"""Tell readers what circulation did: copy ready to collect, booking expired, items overdue."""

from __future__ import annotations

from typing import Any

from shelfmark.circulation.models import Hold, Loan
from shelfmark.holdings.models import Item
from shelfmark.notices import services as notices
from shelfmark.notices.models import Channel
from shelfmark.patrons.models import Patron


def _channel(patron: Patron) -> tuple[str, str] | None:
    """Email when the reader gave one, else SMS to their phone, else nothing can be sent."""
    if patron.email:
        return Channel.EMAIL, patron.email
    if patron.phone:
        return Channel.SMS, patron.phone
    return None


def _send(patron: Patron, *, kind: str, reference: str, context: dict[str, Any]) -> None:
    target = _channel(patron)
    if target is None:
        return
    channel, to = target
    notices.notify(
        channel=channel,
        to=to,
        kind=kind,
        reference=reference,
        context={"patron_name": patron.name, "library_name": patron.home_library.name, **context},
    )


def hold_ready(*, hold: Hold, item: Item) -> None:
    """Tell the reader their booked copy waits at the pickup library until the shelf date."""
    _send(
        hold.patron,
        kind="hold_ready",
        reference=f"hold:{hold.pk}:ready:{item.pk}",
        context={"title": hold.record.title, "pickup_name": hold.pickup_library.name, "expires_on": hold.expires_on},
    )


def hold_expired(*, hold: Hold) -> None:
    """Tell the reader their booking lapsed because the copy was not collected in time."""
    _send(
        hold.patron,
        kind="hold_expired",
        reference=f"hold:{hold.pk}:expired",
        context={"title": hold.record.title, "pickup_name": hold.pickup_library.name, "expires_on": hold.expires_on},
    )


def overdue(*, patron: Patron, loans: list[Loan], reference: str, today: Any) -> None:
    """Send one overdue notice listing the reader's late loans."""
    items = [
        {"title": loan.item.record.title, "due_date": loan.due_on, "days_overdue": (today - loan.due_on).days}
        for loan in loans
    ]
    _send(patron, kind="overdue", reference=reference, context={"items": items})
