"""Holds (约书): place, cancel, trap a returned copy for the next reader in the queue, expire on the shelf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.catalog.models import Record
from shelfmark.circulation import queue, selectors
from shelfmark.circulation.errors import (
    HoldAlreadyPlaced,
    HoldLimitReached,
    HoldNotAllowed,
    HoldNotCancellable,
    PatronBlocked,
)
from shelfmark.circulation.models import CirculationEvent, Hold, Transit
from shelfmark.circulation.rules import NoRuleApplies
from shelfmark.circulation.services import notify
from shelfmark.circulation.services import transit as transits
from shelfmark.circulation.services._common import log_event
from shelfmark.core import events, rows
from shelfmark.holdings import selectors as item_selectors
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import library_by_id
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron
from shelfmark.patrons.pseudonym import reader_key

DEFAULT_MAX_HOLDS = 10
DEFAULT_NEAR_WINDOW_DAYS = 2
UNHOLDABLE = (ItemStatus.WITHDRAWN, ItemStatus.LOST, ItemStatus.MISSING)


@dataclass(frozen=True)
class Trap:
    """What a copy did when the queue claimed it: ready on this shelf, or in transit to the pickup library."""

    hold: Hold
    transit: Transit | None


def place_hold(
    *,
    patron: Patron,
    record: Record,
    actor: Any,
    pickup_library: Library | None = None,
    item: Item | None = None,
    home_delivery: bool = False,
    now: datetime | None = None,
) -> Hold:
    """Book a title (or one copy of it) for pickup at any library of the network, or for home delivery."""
    now = now or timezone.now()
    with transaction.atomic():
        patron = patron_selectors.lock_patron(patron.pk)
        if item is not None and item.record_id != record.pk:
            raise HoldNotAllowed(reason=_("the copy belongs to another title."), field="item")
        if home_delivery:
            if not patron.home_delivery:
                raise HoldNotAllowed(reason=_("home delivery is for readers registered for it."), field="home_delivery")
            pickup_library = patron.home_library
        if pickup_library is None:
            raise HoldNotAllowed(reason=_("choose a pickup library."), field="pickup_library")
        blocks = patron_selectors.blocks(patron, now=now)
        if blocks:
            raise PatronBlocked(reasons="; ".join(block.reason for block in blocks))
        limit = int(getattr(settings, "SHELFMARK_MAX_HOLDS", DEFAULT_MAX_HOLDS))
        count = Hold.objects.filter(patron=patron, status__in=Hold.ACTIVE).count()
        if count >= limit:
            raise HoldLimitReached(count=count, limit=limit)
        _require_holdable(record=record, item=item, patron=patron, pickup_library=pickup_library)
        try:
            with transaction.atomic():
                hold = Hold.objects.create(
                    patron=patron,
                    record=record,
                    item=item,
                    pickup_library=pickup_library,
                    home_delivery=home_delivery,
                    placed_at=now,
                )
        except IntegrityError:
            raise HoldAlreadyPlaced() from None
        log_event(
            CirculationEvent.Kind.HOLD_PLACED,
            reader_key=reader_key(patron),
            patron_category=patron.category,
            item=item or _any_item(record),
            library=pickup_library,
            now=now,
        )
        events.record(
            "hold.placed",
            actor=actor,
            target=hold,
            data={"record": record.pk, "pickup": pickup_library.code, "item": item.barcode if item else None},
            now=now,
        )
        return hold


def _any_item(record: Record) -> Item:
    return Item.objects.filter(record=record).order_by("id").first()  # type: ignore[return-value]


def _require_holdable(*, record: Record, item: Item | None, patron: Patron, pickup_library: Library) -> None:
    """Refuse a booking no copy could ever fill: none exist, none circulate, or the rules forbid holds."""
    copies = [item] if item is not None else list(Item.objects.filter(record=record).exclude(status__in=UNHOLDABLE))
    if not copies:
        raise HoldNotAllowed(reason=_("no copy of this title can circulate."), field="record")
    for item_type in sorted({copy.item_type for copy in copies}):
        try:
            rule = selectors.rule_for(library=pickup_library, patron_category=patron.category, item_type=item_type).rule
        except NoRuleApplies:
            continue
        if rule.holds_allowed and rule.loanable:
            return
    raise HoldNotAllowed(reason=_("the circulation rules do not allow booking this title."), field="record")


def cancel_hold(*, hold: Hold, actor: Any, reason: str = "", now: datetime | None = None) -> Hold:
    """Cancel a booking; a copy already waiting on the shelf passes to the next reader or goes home."""
    now = now or timezone.now()
    with transaction.atomic():
        hold = Hold.objects.select_for_update(of=("self",)).get(pk=hold.pk)
        if hold.status not in Hold.ACTIVE:
            raise HoldNotCancellable(status=hold.get_status_display())
        was_ready = hold.status == Hold.Status.READY
        hold.status = Hold.Status.CANCELLED
        hold.closed_at = now
        hold.note = reason[:200]
        hold.save(update_fields=["status", "closed_at", "note"])
        if was_ready and hold.trapped_item_id:
            release_copy(item=item_selectors.lock_item(hold.trapped_item_id), actor=actor, now=now)
        log_event(
            CirculationEvent.Kind.HOLD_CANCELLED,
            reader_key=reader_key(hold.patron_id),
            patron_category=hold.patron.category,
            item=hold.trapped_item or hold.item or _any_item(hold.record),
            library=hold.pickup_library,
            now=now,
        )
        events.record("hold.cancelled", actor=actor, target=hold, data={"reason": reason}, now=now)
        return hold


def trap_next_hold(*, item: Item, library: Library, actor: Any, now: datetime) -> Trap | None:
    """Give a copy scanned at `library` to the next hold in the queue (caller holds the item lock)."""
    # The record's queue (hold_queue index); item-level holds are on the same record.
    waiting = rows.select(
        Hold,
        "record_id = %s AND status = %s AND (item_id IS NULL OR item_id = %s)",
        [item.record_id, Hold.Status.WAITING, item.pk],
        order_by="placed_at, id",
        limit=100,
    )
    for hold in waiting:
        hold.pickup_library = library_by_id(hold.pickup_library_id)
    window = timedelta(days=float(getattr(settings, "SHELFMARK_HOLD_NEAR_WINDOW_DAYS", DEFAULT_NEAR_WINDOW_DAYS)))
    while waiting:
        by_id = {hold.pk: hold for hold in waiting}
        chosen = queue.choose_hold(
            [queue.Candidate(h.pk, h.placed_at, h.pickup_library.path) for h in waiting],
            copy_path=library.path,
            near_window=window,
        )
        assert chosen is not None
        hold = by_id[chosen.hold_id]
        waiting.remove(hold)
        # Another check-in may be trapping this hold right now: skip it rather than wait, and never trap it twice.
        claimed = Hold.objects.select_for_update(skip_locked=True).filter(pk=hold.pk, status=Hold.Status.WAITING)
        if list(claimed.values_list("pk", flat=True)) and _copy_fits(item=item, hold=hold):
            return _trap(item=item, hold=hold, library=library, actor=actor, now=now)
    return None


def _copy_fits(*, item: Item, hold: Hold) -> bool:
    try:
        rule = selectors.rule_for(
            library=hold.pickup_library, patron_category=hold.patron.category, item_type=item.item_type
        ).rule
    except NoRuleApplies:
        return False
    return rule.loanable and rule.holds_allowed


def _trap(*, item: Item, hold: Hold, library: Library, actor: Any, now: datetime) -> Trap:
    hold.trapped_item = item
    transit = None
    if hold.pickup_library_id == library.pk:
        _put_on_shelf(hold=hold, item=item, library=library, actor=actor, now=now)
    else:
        hold.status = Hold.Status.IN_TRANSIT
        hold.save(update_fields=["status", "trapped_item"])
        transit = transits.send(
            item=item,
            from_library=library,
            to_library=hold.pickup_library,
            reason=Transit.Reason.HOLD,
            actor=actor,
            now=now,
            hold=hold,
        )
    log_event(
        CirculationEvent.Kind.HOLD_TRAPPED,
        reader_key=reader_key(hold.patron_id),
        patron_category=hold.patron.category,
        item=item,
        library=library,
        now=now,
    )
    return Trap(hold=hold, transit=transit)


def put_on_shelf(*, hold: Hold, item: Item, library: Library, actor: Any, now: datetime) -> None:
    """Shelve a trapped copy at the pickup library, start its shelf time and tell the reader."""
    _put_on_shelf(hold=hold, item=item, library=library, actor=actor, now=now)


def _put_on_shelf(*, hold: Hold, item: Item, library: Library, actor: Any, now: datetime) -> None:
    rule = selectors.rule_for(library=library, patron_category=hold.patron.category, item_type=item.item_type).rule
    hold.status = Hold.Status.READY
    hold.trapped_item = item
    hold.ready_at = now
    hold.expires_on = selectors.due_date_at(library=library, start=now, loan_days=rule.hold_shelf_days)
    hold.save(update_fields=["status", "trapped_item", "ready_at", "expires_on"])
    item_services.change_status(
        item=item, status=ItemStatus.ON_HOLD_SHELF, actor=actor, library=library, reason=f"hold {hold.pk}", now=now
    )
    notify.hold_ready(hold=hold, item=item)


def release_copy(*, item: Item, actor: Any, now: datetime) -> Trap | None:
    """Pass a copy nobody collected to the next hold, else back to circulation where it stands (or home)."""
    library = item.current_library
    trap = trap_next_hold(item=item, library=library, actor=actor, now=now)
    if trap is None:
        from shelfmark.circulation.services.routing import route_home

        route_home(item=item, library=library, patron_category="", actor=actor, now=now)
    return trap


def expire_hold_shelf(*, now: datetime | None = None, actor: Any = None) -> int:
    """Expire bookings not collected in time; each copy passes on. Returns how many expired."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    expired = 0
    for hold_id in Hold.objects.filter(status=Hold.Status.READY, expires_on__lt=today).values_list("id", flat=True):
        with transaction.atomic():
            hold = Hold.objects.select_for_update(of=("self",)).select_related("patron").get(pk=hold_id)
            if hold.status != Hold.Status.READY:
                continue
            hold.status = Hold.Status.EXPIRED
            hold.closed_at = now
            hold.save(update_fields=["status", "closed_at"])
            log_event(
                CirculationEvent.Kind.HOLD_EXPIRED,
                reader_key=reader_key(hold.patron_id),
                patron_category=hold.patron.category,
                item=hold.trapped_item or _any_item(hold.record),
                library=hold.pickup_library,
                now=now,
            )
            events.record("hold.expired", actor=actor, target=hold, now=now)
            notify.hold_expired(hold=hold)
            if hold.trapped_item_id:
                release_copy(item=item_selectors.lock_item(hold.trapped_item_id), actor=actor, now=now)
            expired += 1
    return expired
