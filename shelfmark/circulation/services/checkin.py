"""Check in at any service point of the network: close the loan, charge lateness, then hold, shelve or send home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from shelfmark.circulation import selectors
from shelfmark.circulation.models import CirculationEvent, Hold, Loan, Transit
from shelfmark.circulation.rules import local_date
from shelfmark.circulation.services import idempotency
from shelfmark.circulation.services import transit as transits
from shelfmark.circulation.services._common import log_event
from shelfmark.circulation.services.holds import put_on_shelf, trap_next_hold
from shelfmark.circulation.services.routing import route_home
from shelfmark.core import events, rows
from shelfmark.fines import services as fine_services
from shelfmark.holdings import selectors as item_selectors
from shelfmark.holdings.models import Item
from shelfmark.libraries.models import Library, ServicePoint
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.models import Patron

ZERO = Decimal("0.00")


@dataclass
class CheckInResult:
    """What the desk, kiosk or sorter must do with the copy just returned."""

    item: Item
    loan: Loan | None
    fine: Decimal
    hold: Hold | None
    transit: Transit | None
    route_reason: str = ""

    @property
    def destination(self) -> Library | None:
        """The library the copy must travel to, or None to keep it here."""
        return self.transit.to_library if self.transit is not None else None

    @property
    def alert(self) -> str:
        """What the sorter bin or slip shows: hold (shelf for a reader), transit (send on), or nothing."""
        if self.hold is not None and self.transit is None:
            return "hold"
        if self.transit is not None:
            return "hold_transit" if self.hold is not None else "transit"
        return ""


def check_in(
    *,
    item: Item,
    library: Library,
    actor: Any,
    service_point: ServicePoint | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
) -> CheckInResult:
    """Take a copy back at `library`; a retry with the same idempotency key answers as the first time did."""
    now = now or timezone.now()
    with transaction.atomic():
        return idempotency.once(
            key=idempotency_key,
            operation="check_in",
            request=idempotency.digest(item.pk, library.pk),
            actor=actor,
            now=now,
            run=lambda: _check_in(item, library, actor, now),
            result_of=_result_ids,
            replay=_replay,
        )


def _check_in(item: Item, library: Library, actor: Any, now: datetime) -> CheckInResult:
    item = item_selectors.lock_item(item.pk)
    loan = rows.select_one(
        Loan,
        "item_id = %s AND status IN (%s, %s, %s)",
        [item.pk, Loan.Status.ACTIVE, Loan.Status.CLAIMED_RETURNED, Loan.Status.LOST],
        lock=True,
    )
    if loan is not None:
        loan.item = item  # the locked row, not a second read
        if loan.patron_id is not None:
            loan.patron = rows.select_one(Patron, "id = %s", [loan.patron_id])
    fine = _close_loan(loan, library=library, actor=actor, now=now) if loan is not None else ZERO
    result = CheckInResult(item=item, loan=loan, fine=fine, hold=None, transit=None)
    travelling = transits.open_transit(item)
    if travelling is not None and travelling.to_library_id != library.pk:
        # Arrived at the wrong library: it keeps travelling to where it was going.
        result.transit = travelling
        result.hold = travelling.hold if travelling.hold and travelling.hold.status == Hold.Status.IN_TRANSIT else None
        return result
    if travelling is not None:
        transits.receive(transit=travelling, library=library, actor=actor, now=now)
        hold = travelling.hold
        if hold is not None and hold.status == Hold.Status.IN_TRANSIT:
            hold = Hold.objects.select_for_update(of=("self",)).select_related("patron").get(pk=hold.pk)
            put_on_shelf(hold=hold, item=item, library=library, actor=actor, now=now)
            result.hold = hold
            return result
    trap = trap_next_hold(item=item, library=library, actor=actor, now=now)
    if trap is not None:
        result.hold, result.transit = trap.hold, trap.transit
        return result
    # A closed loan's loan.returned event names the item and library; shelving it needs no second audit event.
    route, sent = route_home(
        item=item,
        library=library,
        patron_category=loan.patron_category if loan else "",
        actor=actor,
        audit=loan is None,
        now=now,
    )
    result.transit, result.route_reason = sent, route.reason
    return result


def _close_loan(loan: Loan, *, library: Library, actor: Any, now: datetime) -> Decimal:
    """Mark the loan returned, charge lateness, count the return for the reader's credit, pseudonymise it."""
    returned = local_date(now)
    fine = ZERO
    patron: Patron | None = loan.patron
    if loan.status == Loan.Status.ACTIVE and patron is not None:
        if returned > loan.due_on:
            fine = selectors.fine_at(terms=loan, library=library, due=loan.due_on, returned=returned)
        if fine > 0:
            fine_services.set_overdue_amount(patron=patron, source=loan.fine_source, amount=fine, actor=actor, now=now)
        patron_services.record_return(patron=patron, on_time=returned <= loan.due_on or fine == 0)
    loan.status = Loan.Status.RETURNED
    loan.returned_at = now
    loan.returned_library = library
    if patron is not None and not patron.history_opt_in:
        loan.patron = None
    rows.update(loan, ["status", "returned_at", "returned_library", "patron"])
    log_event(
        CirculationEvent.Kind.CHECK_IN,
        reader_key=loan.reader_key,
        patron_category=loan.patron_category,
        item=loan.item,
        library=library,
        now=now,
    )
    events.record(
        "loan.returned",
        actor=actor,
        target=loan,
        data={"barcode": loan.item.barcode, "library": library.code, "fine": str(fine)},
        now=now,
    )
    return fine


def _result_ids(result: CheckInResult) -> dict[str, Any]:
    return {
        "item_id": result.item.pk,
        "loan_id": result.loan.pk if result.loan else None,
        "fine": str(result.fine),
        "hold_id": result.hold.pk if result.hold else None,
        "transit_id": result.transit.pk if result.transit else None,
        "route_reason": result.route_reason,
    }


def _replay(stored: dict[str, Any]) -> CheckInResult:
    return CheckInResult(
        item=Item.objects.get(pk=stored["item_id"]),
        loan=Loan.objects.filter(pk=stored["loan_id"]).first() if stored["loan_id"] else None,
        fine=Decimal(stored["fine"]),
        hold=Hold.objects.filter(pk=stored["hold_id"]).first() if stored["hold_id"] else None,
        transit=Transit.objects.select_related("to_library").filter(pk=stored["transit_id"]).first()
        if stored["transit_id"]
        else None,
        route_reason=stored["route_reason"],
    )
