"""Circulation endpoints under /api/v1/circulation/: lend, return, renew, book, and the desk's lists.

Staff session + CSRF, like the other apps. Acts need circulation.operate at the library where they happen
(the desk's library, given in the request, else the loan's or booking's own); reading a reader's loans and
bookings needs what looking a reader up needs, and is audited. A kiosk that retries sends the same
`Idempotency-Key` header and gets the first answer, done once; keys are scoped to the login that sent them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.security import django_auth_is_staff

from shelfmark.accounts import permissions
from shelfmark.catalog.models import Record
from shelfmark.circulation import selectors, services
from shelfmark.circulation.errors import HoldNotFound, LoanNotFound
from shelfmark.circulation.models import CirculationRule, Hold, Loan, Transit
from shelfmark.circulation.schemas import (
    CancelIn,
    CheckInIn,
    CheckInOut,
    CheckOutIn,
    ErrorOut,
    ExplainIn,
    ExplainOut,
    HoldIn,
    HoldOut,
    ItemBriefOut,
    LoanActIn,
    LoanOut,
    PullEntryOut,
    RenewIn,
    RuleOut,
    TransitOut,
)
from shelfmark.core.errors import InvalidInput, NotFound
from shelfmark.holdings import selectors as item_selectors
from shelfmark.holdings.errors import ItemNotFound
from shelfmark.holdings.models import Item, ItemType
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import get_library
from shelfmark.patrons import access as patron_access
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.errors import PatronNotFound
from shelfmark.patrons.models import Category, Patron

router = Router(tags=["circulation"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
AUTH = django_auth_is_staff
OPERATE = "circulation.operate"
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 64
# Declared for the OpenAPI document; the operations read the header themselves (see _idempotency_key).
RETRYABLE = {
    "parameters": [
        {
            "in": "header",
            "name": IDEMPOTENCY_HEADER,
            "required": False,
            "schema": {"type": "string", "maxLength": MAX_KEY_LENGTH},
            "description": "A client's retry with the same key gets the first answer; the act is done once.",
        }
    ]
}


# ------------------------------------------------------------------------------------------------ loans


@router.post("/checkouts", response={201: LoanOut, **ERRORS}, auth=AUTH, openapi_extra=RETRYABLE)
def check_out(request: HttpRequest, payload: CheckOutIn) -> Status:
    """Lend the scanned item to the reader (card or id) at the desk's library; refusals are typed (409)."""
    library = _library(payload.library, "library")
    permissions.require(request.user, OPERATE, library)
    key = _idempotency_key(request)
    item = _item(payload.item)
    patron = _patron(card=payload.card, patron_id=payload.patron_id)
    loan = services.check_out(
        item=item,
        patron=patron,
        library=library,
        actor=request.user,
        override_reason=payload.override_reason,
        idempotency_key=key,
    )
    return Status(201, _loan_out(loan, item=item, places=(library, item.home_library, item.current_library)))


@router.post("/checkins", response={200: CheckInOut, **ERRORS}, auth=AUTH, openapi_extra=RETRYABLE)
def check_in(request: HttpRequest, payload: CheckInIn) -> CheckInOut:
    """Take the scanned item back at any library; the answer is the slip: shelve, hold shelf, or send where."""
    library = _library(payload.library, "library")
    permissions.require(request.user, OPERATE, library)
    key = _idempotency_key(request)
    item = _item(payload.item)
    result = services.check_in(item=item, library=library, actor=request.user, idempotency_key=key)
    places = (library, item.home_library, item.current_library)
    brief = _item_brief(result.item, title=item.record.title, places=places)
    hold = _hold_out(result.hold) if result.hold is not None else None
    transit = result.transit
    return CheckInOut(
        item=brief,
        loan=_loan_out(result.loan, item=item, places=places, brief=brief) if result.loan is not None else None,
        fine=result.fine,
        alert=result.alert,
        destination=transit.to_library.code if transit is not None else None,
        destination_name=transit.to_library.name if transit is not None else None,
        hold_pickup=hold.pickup_library if hold is not None else None,
        hold=hold,
        transit=_transit_out(transit, item=brief, from_library=library) if transit is not None else None,
        route_reason=result.route_reason,
    )


@router.post("/loans/{int:loan_id}/renew", response={200: LoanOut, **ERRORS}, auth=AUTH, openapi_extra=RETRYABLE)
def renew(request: HttpRequest, loan_id: int, payload: RenewIn) -> LoanOut:
    """Renew a loan from today, unless its renewals are used up or others wait for the title."""
    loan = _loan(loan_id)
    library = _desk(payload.library, default=loan.library)
    permissions.require(request.user, OPERATE, library)
    renewed = services.renew(
        loan=loan,
        actor=request.user,
        library=library,
        override_reason=payload.override_reason,
        idempotency_key=_idempotency_key(request),
    )
    return _loan_out(renewed, item=loan.item, places=(library, loan.library))


@router.post("/loans/{int:loan_id}/lost", response={200: LoanOut, **ERRORS}, auth=AUTH)
def mark_lost(request: HttpRequest, loan_id: int, payload: LoanActIn) -> LoanOut:
    """Declare the loaned copy lost: the reader is charged its price and a fee."""
    loan = _loan(loan_id)
    library = _desk(payload.library, default=loan.library)
    permissions.require(request.user, OPERATE, library)
    ended = services.mark_lost(loan=loan, actor=request.user, library=library)
    return _loan_out(ended, item=loan.item, places=(library, loan.library))


@router.post("/loans/{int:loan_id}/claim-returned", response={200: LoanOut, **ERRORS}, auth=AUTH)
def claim_returned(request: HttpRequest, loan_id: int, payload: LoanActIn) -> LoanOut:
    """Record the reader's claim to have returned the copy: the loan stops, the copy is missing."""
    loan = _loan(loan_id)
    library = _desk(payload.library, default=loan.library)
    permissions.require(request.user, OPERATE, library)
    ended = services.claim_returned(loan=loan, actor=request.user, library=library)
    return _loan_out(ended, item=loan.item, places=(library, loan.library))


@router.get("/patrons/{int:patron_id}/loans", response={200: list[LoanOut], **ERRORS}, auth=AUTH)
def patron_loans(request: HttpRequest, patron_id: int) -> list[LoanOut]:
    """Return the reader's loans still out, soonest due first (the read is audited)."""
    patron = _patron_for_view(request.user, patron_id)
    loans = selectors.active_loans(patron).select_related("item__home_library", "item__current_library")
    return [_loan_out(loan, item=loan.item, places=()) for loan in loans]


# ------------------------------------------------------------------------------------------------ holds


@router.get("/patrons/{int:patron_id}/holds", response={200: list[HoldOut], **ERRORS}, auth=AUTH)
def patron_holds(request: HttpRequest, patron_id: int) -> list[HoldOut]:
    """Return the reader's open bookings with their place in the queue (the read is audited)."""
    patron = _patron_for_view(request.user, patron_id)
    return [_hold_out(hold) for hold in selectors.active_holds(patron).select_related("item")]


@router.post("/holds", response={201: HoldOut, **ERRORS}, auth=AUTH)
def place_hold(request: HttpRequest, payload: HoldIn) -> Status:
    """Book a title or one copy for pickup anywhere in the network, or for home delivery."""
    pickup = _library(payload.pickup_library, "pickup_library") if payload.pickup_library else None
    desk = _library(payload.library, "library") if payload.library else pickup
    if desk is not None:
        permissions.require(request.user, OPERATE, desk)
    patron = _patron(card=payload.card, patron_id=payload.patron_id)
    if desk is None:  # home delivery booked without naming a desk: the reader's home library acts
        permissions.require(request.user, OPERATE, patron.home_library)
    item = _item(payload.item) if payload.item else None
    record = item.record if item is not None else _record(payload.record_id)
    if item is not None and payload.record_id is not None and payload.record_id != item.record_id:
        raise InvalidInput(_("The copy belongs to another title."), field="item")
    hold = services.place_hold(
        patron=patron,
        record=record,
        actor=request.user,
        pickup_library=pickup,
        item=item,
        home_delivery=payload.home_delivery,
    )
    return Status(201, _hold_out(_hold(hold.pk)))


@router.delete("/holds/{int:hold_id}", response={200: HoldOut, **ERRORS}, auth=AUTH)
def cancel_hold(request: HttpRequest, hold_id: int, params: Query[CancelIn]) -> HoldOut:
    """Cancel a booking; a copy already on the hold shelf passes to the next reader or goes home."""
    hold = _hold(hold_id)
    permissions.require(request.user, OPERATE, _desk(params.library, default=hold.pickup_library))
    services.cancel_hold(hold=hold, actor=request.user, reason=params.reason)
    return _hold_out(_hold(hold_id))


# --------------------------------------------------------------------------------------- desk lists


@router.get("/libraries/{code}/pull-list", response={200: list[PullEntryOut], **ERRORS}, auth=AUTH)
def pull_list(request: HttpRequest, code: str) -> list[PullEntryOut]:
    """Return the copies this library should fetch from its shelves for bookings, oldest booking first."""
    library = get_library(code)
    permissions.require(request.user, OPERATE, library)
    return [
        PullEntryOut(
            hold_id=entry.hold.pk,
            record_id=entry.hold.record_id,
            title=entry.item.record.title,
            item=entry.item.barcode,
            call_number=entry.item.call_number,
            shelving_location=entry.item.shelving_location,
            pickup_library=entry.hold.pickup_library.code,
            home_delivery=entry.hold.home_delivery,
            placed_at=entry.hold.placed_at,
        )
        for entry in selectors.pull_list(library)
    ]


@router.get("/libraries/{code}/transits", response={200: list[TransitOut], **ERRORS}, auth=AUTH)
def transits(request: HttpRequest, code: str) -> list[TransitOut]:
    """Return the copies travelling to this library that have not arrived, oldest first."""
    library = get_library(code)
    permissions.require(request.user, OPERATE, library)
    return [
        TransitOut(
            id=transit.pk,
            item=transit.item.barcode,
            title=transit.item.record.title,
            from_library=transit.from_library.code,
            to_library=library.code,
            to_library_name=library.name,
            reason=transit.reason,
            hold_id=transit.hold_id,
            sent_at=transit.sent_at,
        )
        for transit in selectors.open_transits(library)
    ]


@router.get("/rules/explain", response={200: ExplainOut, **ERRORS}, auth=AUTH)
def explain_rule(request: HttpRequest, params: Query[ExplainIn]) -> ExplainOut:
    """Say which circulation rule applies to a reader category and item type at a library, and why."""
    library = _library(params.library, "library")
    permissions.require(request.user, OPERATE, library)
    if params.category not in Category.values:
        raise InvalidInput(_("Unknown reader category {value!r}.").format(value=params.category), field="category")
    if params.item_type not in ItemType.values:
        raise InvalidInput(_("Unknown item type {value!r}.").format(value=params.item_type), field="item_type")
    labels = {**{k: str(v) for k, v in Category.choices}, **{k: str(v) for k, v in ItemType.choices}}
    decision = selectors.rule_for(
        library=library, patron_category=params.category, item_type=params.item_type, labels=labels
    )
    return ExplainOut(
        rule=_rule_out(decision.rule), reason=decision.reason, candidates=[_rule_out(r) for r in decision.candidates]
    )


# ------------------------------------------------------------------------------------------- helpers


def _idempotency_key(request: HttpRequest) -> str | None:
    """Read the Idempotency-Key header, scoped to the login, so one client never replays another's answer."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise InvalidInput(
            _("The Idempotency-Key header must be at most {length} printable ASCII characters.").format(
                length=MAX_KEY_LENGTH
            ),
            field=IDEMPOTENCY_HEADER,
        )
    return f"api:{request.user.pk}:{key}"


def _library(code: str | None, field: str) -> Library:
    try:
        return get_library(code or "")
    except NotFound as exc:
        raise InvalidInput(exc.message, field=field) from None


def _desk(code: str | None, *, default: Library) -> Library:
    return _library(code, "library") if code else default


def _item(scan: str) -> Item:
    try:
        return item_selectors.find_item_by_scan(scan)
    except ItemNotFound as exc:
        exc.field = "item"
        raise


def _patron(*, card: str | None, patron_id: int | None) -> Patron:
    if card is not None:
        return patron_selectors.find_patron_by_card(card)
    try:
        return patron_selectors.get_patron(patron_id or 0)
    except PatronNotFound as exc:
        exc.field = "patron_id"
        raise


def _patron_for_view(user: Any, patron_id: int) -> Patron:
    try:
        return patron_access.get_patron_for_staff(user, patron_id=patron_id)
    except PatronNotFound as exc:
        exc.field = "patron_id"
        raise


def _record(record_id: int | None) -> Record:
    try:
        return Record.objects.only("id", "title").get(pk=record_id or 0)
    except Record.DoesNotExist:
        raise InvalidInput(_("No record with id {id}.").format(id=record_id), field="record_id") from None


def _loan(loan_id: int) -> Loan:
    try:
        return (
            Loan.objects.select_related("item__record", "item__home_library", "item__current_library", "library")
            .defer("item__record__marc")
            .get(pk=loan_id)
        )
    except Loan.DoesNotExist:
        raise LoanNotFound(_("No loan with id {id}.").format(id=loan_id), field="loan_id") from None


def _hold(hold_id: int) -> Hold:
    try:
        return (
            Hold.objects.select_related("record", "pickup_library", "item", "trapped_item", "patron")
            .defer("record__marc")
            .get(pk=hold_id)
        )
    except Hold.DoesNotExist:
        raise HoldNotFound(_("No booking with id {id}.").format(id=hold_id), field="hold_id") from None


def _code(library_id: int | None, known: dict[int, Library]) -> str:
    if library_id is None:
        return ""
    if library_id not in known:
        known[library_id] = Library.objects.only("id", "code", "name").get(pk=library_id)
    return known[library_id].code


def _item_brief(item: Item, *, title: str, places: Iterable[Library]) -> ItemBriefOut:
    """Shape a copy with the libraries already at hand (no query when they are among `places`)."""
    known = {library.pk: library for library in places}
    for name in ("home_library", "current_library"):
        if item._state.fields_cache.get(name) is not None:  # loaded by select_related
            related = getattr(item, name)
            known.setdefault(related.pk, related)
    return ItemBriefOut(
        id=item.pk,
        barcode=item.barcode,
        qr_code=item.qr_code,
        title=title,
        call_number=item.call_number,
        status=item.status,
        home_library=_code(item.home_library_id, known),
        current_library=_code(item.current_library_id, known),
    )


def _loan_out(loan: Loan, *, item: Item, places: Iterable[Library], brief: ItemBriefOut | None = None) -> LoanOut:
    """Shape a loan; `item` is the scanned or loaded copy with its record (the service's copy has no title)."""
    places = (*places, *([loan.library] if loan._state.fields_cache.get("library") else []))
    if brief is None:
        current = loan.item if loan._state.fields_cache.get("item") is not None else item
        brief = _item_brief(current, title=item.record.title, places=(*places, item.home_library))
    known = {library.pk: library for library in places}
    return LoanOut(
        id=loan.pk,
        item=brief,
        patron_id=loan.patron_id,
        library=_code(loan.library_id, known),
        status=loan.status,
        checked_out_at=loan.checked_out_at,
        due_on=loan.due_on,
        renewals=loan.renewals,
        max_renewals=loan.max_renewals,
        returned_at=loan.returned_at,
        override_reason=loan.override_reason,
    )


def _hold_out(hold: Hold) -> HoldOut:
    return HoldOut(
        id=hold.pk,
        patron_id=hold.patron_id,
        record_id=hold.record_id,
        title=hold.record.title,
        item=hold.item.barcode if hold.item_id and hold.item else None,
        pickup_library=hold.pickup_library.code,
        pickup_library_name=hold.pickup_library.name,
        home_delivery=hold.home_delivery,
        status=hold.status,
        placed_at=hold.placed_at,
        trapped_item=hold.trapped_item.barcode if hold.trapped_item_id and hold.trapped_item else None,
        ready_at=hold.ready_at,
        expires_on=hold.expires_on,
        queue_position=selectors.queue_position(hold) if hold.status == Hold.Status.WAITING else None,
    )


def _transit_out(transit: Transit, *, item: ItemBriefOut, from_library: Library) -> TransitOut:
    return TransitOut(
        id=transit.pk,
        item=item.barcode,
        title=item.title,
        from_library=from_library.code if transit.from_library_id == from_library.pk else transit.from_library.code,
        to_library=transit.to_library.code,
        to_library_name=transit.to_library.name,
        reason=transit.reason,
        hold_id=transit.hold_id,
        sent_at=transit.sent_at,
    )


def _rule_out(rule: CirculationRule) -> RuleOut:
    return RuleOut(
        id=rule.pk,
        name=str(rule),
        library=rule.library.code if rule.library_id and rule.library else None,
        patron_category=rule.patron_category,
        item_type=rule.item_type,
        loanable=rule.loanable,
        loan_days=rule.loan_days,
        max_loans=rule.max_loans,
        renewals=rule.renewals,
        holds_allowed=rule.holds_allowed,
        hold_shelf_days=rule.hold_shelf_days,
        fine_per_day=rule.fine_per_day,
        fine_cap=rule.fine_cap,
        grace_days=rule.grace_days,
        return_policy=rule.return_policy,
    )
