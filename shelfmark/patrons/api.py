"""Readers API under /api/v1/patrons/: staff session + CSRF; every read of a reader is audited.

Any staff member who may look readers up (patrons.view or circulation.operate anywhere) reads any
reader, since every desk serves the whole network; changes need patrons.edit at the reader's home library.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.security import django_auth_is_staff

from shelfmark.core.errors import InvalidInput, NotFound
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import get_library
from shelfmark.patrons import access, selectors, services
from shelfmark.patrons.models import Patron, PatronBlock
from shelfmark.patrons.schemas import (
    BlockIn,
    BlockOut,
    DepositEntryOut,
    DepositIn,
    DepositsOut,
    ErrorOut,
    IdNumberIn,
    LostCardIn,
    PatronIn,
    PatronOut,
    PatronPatchIn,
    PinIn,
    ReasonOut,
    RefundIn,
    RenewIn,
    StandingOut,
    StoredBlockOut,
)

router = Router(tags=["patrons"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 423: ErrorOut}
AUTH = django_auth_is_staff


@router.get("/by-card/{card}", response={200: PatronOut, **ERRORS}, auth=AUTH)
def read_patron_by_card(request: HttpRequest, card: str) -> PatronOut:
    """Find a reader by card number (a replaced card answers card_retired); the read is audited."""
    return patron_out(access.get_patron_for_staff(request.user, card=card))


@router.post("/lookup-by-id-number", response={200: PatronOut, **ERRORS}, auth=AUTH)
def find_patron_by_id_number(request: HttpRequest, payload: IdNumberIn) -> PatronOut:
    """Find a reader by ID-card number (sent in the body, so it stays out of URLs and logs)."""
    return patron_out(access.find_patron_by_id_number_for_staff(request.user, payload.id_number))


@router.get("/{int:patron_id}", response={200: PatronOut, **ERRORS}, auth=AUTH)
def read_patron(request: HttpRequest, patron_id: int) -> PatronOut:
    """Return one reader with their blocks; the ID-card number only masked."""
    return patron_out(access.get_patron_for_staff(request.user, patron_id=patron_id))


@router.post("/", response={201: PatronOut, **ERRORS}, auth=AUTH)
def create_patron(request: HttpRequest, payload: PatronIn) -> Status:
    """Register a reader at a home library (patrons.edit there)."""
    library = _library(payload.home_library)
    access.require_edit_at(request.user, library)
    values = payload.dict(exclude={"home_library"})
    patron = services.create_patron(**values, home_library=library, actor=request.user)
    return Status(201, patron_out(patron))


@router.patch("/{int:patron_id}", response={200: PatronOut, **ERRORS}, auth=AUTH)
def update_patron(request: HttpRequest, patron_id: int, payload: PatronPatchIn) -> PatronOut:
    """Change a reader's details; moving them to another home library needs patrons.edit there too."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    changes = payload.dict(exclude_unset=True)
    opt_in = changes.pop("history_opt_in", None)
    if "home_library" in changes:
        changes["home_library"] = _library(changes["home_library"])
        access.require_edit_at(request.user, changes["home_library"])
    if changes:
        patron = services.update_patron(patron=patron, actor=request.user, **changes)
    if opt_in is not None:
        patron = services.set_history_opt_in(patron=patron, opt_in=opt_in, actor=request.user)
    return patron_out(selectors.get_patron(patron.pk))


@router.post("/{int:patron_id}/blocks", response={201: StoredBlockOut, **ERRORS}, auth=AUTH)
def add_block(request: HttpRequest, patron_id: int, payload: BlockIn) -> Status:
    """Block a reader from borrowing, with the reason every desk will show."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    return Status(201, services.add_block(patron=patron, reason=payload.reason, actor=request.user))


@router.get("/{int:patron_id}/blocks", response={200: list[StoredBlockOut], **ERRORS}, auth=AUTH)
def list_blocks(request: HttpRequest, patron_id: int) -> list[PatronBlock]:
    """Return every stored block of the reader, lifted ones included."""
    patron = access.get_patron_for_staff(request.user, patron_id=patron_id)
    return selectors.block_history(patron)


@router.delete("/{int:patron_id}/blocks/{int:block_id}", response={204: None, **ERRORS}, auth=AUTH)
def lift_block(request: HttpRequest, patron_id: int, block_id: int) -> HttpResponse:
    """Lift a stored block; it stays in the reader's block history."""
    block = access.get_block_for_edit(request.user, patron_id, block_id)
    services.lift_block(block=block, actor=request.user)
    return HttpResponse(status=204)


@router.post("/{int:patron_id}/pin", response={204: None, **ERRORS}, auth=AUTH)
def set_pin(request: HttpRequest, patron_id: int, payload: PinIn) -> HttpResponse:
    """Set a new PIN for the reader (after checking who they are at the desk); clears any lock."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    services.set_pin(patron=patron, pin=payload.pin, actor=request.user)
    return HttpResponse(status=204)


@router.get("/{int:patron_id}/standing", response={200: StandingOut, **ERRORS}, auth=AUTH)
def read_standing(request: HttpRequest, patron_id: int) -> StandingOut:
    """Return the reader's credit standing: score, tier, deposit-free, loan limit factor and why."""
    standing = selectors.standing(access.get_patron_for_staff(request.user, patron_id=patron_id))
    return StandingOut(
        score=standing.score,
        tier=standing.tier,
        tier_label=standing.tier_label,
        deposit_free=standing.deposit_free,
        loan_limit_factor=standing.loan_limit_factor,
        reasons=[ReasonOut(code=r.code, points=r.points, message=r.message) for r in standing.reasons],
    )


@router.post("/{int:patron_id}/renew", response={200: PatronOut, **ERRORS}, auth=AUTH)
def renew_card(request: HttpRequest, patron_id: int, payload: RenewIn) -> PatronOut:
    """Extend the reader's card (default five years from today)."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    return patron_out(services.renew_card(patron=patron, expires_on=payload.expires_on, actor=request.user))


@router.post("/{int:patron_id}/lost-card", response={200: PatronOut, **ERRORS}, auth=AUTH)
def report_lost_card(request: HttpRequest, patron_id: int, payload: LostCardIn) -> PatronOut:
    """Block a lost card at once; with new_card_number, issue the replacement in the same step."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    services.report_lost_card(
        patron=patron, reason=payload.reason, new_card_number=payload.new_card_number, actor=request.user
    )
    return patron_out(selectors.get_patron(patron.pk))


@router.get("/{int:patron_id}/deposits", response={200: DepositsOut, **ERRORS}, auth=AUTH)
def read_deposits(request: HttpRequest, patron_id: int) -> DepositsOut:
    """Return the reader's deposit balance and ledger."""
    patron = access.get_patron_for_staff(request.user, patron_id=patron_id)
    entries = [DepositEntryOut.from_orm(e) for e in selectors.deposit_entries(patron)]
    return DepositsOut(balance=selectors.deposit_balance(patron), entries=entries)


@router.post("/{int:patron_id}/deposits", response={201: DepositEntryOut, **ERRORS}, auth=AUTH)
def take_deposit(request: HttpRequest, patron_id: int, payload: DepositIn) -> Status:
    """Record a deposit paid by the reader."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    entry = services.take_deposit(
        patron=patron, amount=payload.amount, method=payload.method, note=payload.note, actor=request.user
    )
    return Status(201, entry)


@router.post("/{int:patron_id}/deposits/refund", response={201: DepositEntryOut, **ERRORS}, auth=AUTH)
def refund_deposit(request: HttpRequest, patron_id: int, payload: RefundIn) -> Status:
    """Refund part or all of the reader's deposit, never more than the balance."""
    patron = access.get_patron_for_edit(request.user, patron_id)
    entry = services.refund_deposit(
        patron=patron, amount=payload.amount, method=payload.method, note=payload.note, actor=request.user
    )
    return Status(201, entry)


def patron_out(patron: Patron) -> PatronOut:
    """Shape a reader for the API with their current blocks (other apps' endpoints reuse it)."""
    return PatronOut(
        id=patron.pk,
        card_number=patron.card_number,
        name=patron.name,
        category=patron.category,
        category_label=str(patron.get_category_display()),
        home_library=patron.home_library.code,
        email=patron.email,
        phone=patron.phone,
        address=patron.address,
        responsible_person=patron.responsible_person,
        id_number_masked=patron.id_number_masked,
        expires_on=patron.expires_on,
        history_opt_in=patron.history_opt_in,
        home_delivery=patron.home_delivery,
        on_time_returns=patron.on_time_returns,
        late_returns=patron.late_returns,
        lost_items=patron.lost_items,
        fines_owed=patron.fines_owed,
        pin_set=bool(patron.pin_hash),
        pin_locked_until=patron.pin_locked_until,
        created_at=patron.created_at,
        blocks=[BlockOut(kind=b.kind, reason=b.reason, block_id=b.block_id) for b in selectors.blocks(patron)],
    )


def _library(code: str) -> Library:
    try:
        return get_library(code)
    except NotFound as exc:
        raise InvalidInput(exc.message, field="home_library") from None
