"""Writes to readers: register, change, renew, lost cards, blocks, consents, history counters, fines owed.

PIN services live in `pin.py` and the deposit ledger in `deposits.py`; both are re-exported here, so
callers always write `patrons.services.<verb>`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Library
from shelfmark.patrons import idcard
from shelfmark.patrons.deposits import refund_deposit, take_deposit
from shelfmark.patrons.errors import BlockAlreadyLifted, CardNumberTaken, IdNumberInUse, InvalidCardNumber
from shelfmark.patrons.models import BlockKind, Category, Patron, PatronBlock, PatronCard
from shelfmark.patrons.pin import hash_pin, set_pin, verify_pin
from shelfmark.patrons.selectors import lock_patron

__all__ = [
    "add_block",
    "add_to_fines_owed",
    "create_patron",
    "hash_pin",
    "lift_block",
    "record_lost",
    "record_return",
    "refund_deposit",
    "renew_card",
    "replace_card",
    "report_lost_card",
    "set_history_opt_in",
    "set_pin",
    "take_deposit",
    "update_patron",
    "verify_pin",
]

CARD_VALID_YEARS = 5
_CARD = re.compile(r"[A-Za-z0-9-]{1,32}", re.ASCII)
_PHONE = re.compile(r"\+?[0-9][0-9 -]{3,18}[0-9]", re.ASCII)
_UNCHANGED: Any = object()


@transaction.atomic
def create_patron(
    *,
    card_number: str,
    name: str,
    category: str,
    home_library: Library,
    actor: Any,
    pin: str | None = None,
    pin_hash: str | None = None,
    id_number: str | None = None,
    expires_on: date | None = None,
    email: str = "",
    phone: str = "",
    address: str = "",
    responsible_person: str = "",
    history_opt_in: bool = False,
    home_delivery: bool = False,
    now: datetime | None = None,
) -> Patron:
    """Register a reader with a new card; `pin_hash` (from hash_pin) lets bulk loaders skip one slow hash each."""
    now = now or timezone.now()
    number = _card_number(card_number)
    profile = _profile(
        name=name,
        category=category,
        email=email,
        phone=phone,
        address=address,
        responsible_person=responsible_person,
    )
    id_hash, id_masked = _id_fields(id_number)
    valid_until = expires_on or _years_later(timezone.localdate(now), CARD_VALID_YEARS)
    _ensure_card_free(number)
    _ensure_id_free(id_hash, patron_id=None)
    try:
        with transaction.atomic():
            patron = Patron.objects.create(
                card_number=number,
                home_library=home_library,
                pin_hash=hash_pin(pin) if pin is not None else (pin_hash or ""),
                id_number_hash=id_hash,
                id_number_masked=id_masked,
                expires_on=valid_until,
                history_opt_in=history_opt_in,
                home_delivery=home_delivery,
                created_at=now,
                updated_at=now,
                **profile,
            )
            PatronCard.objects.create(patron=patron, number=number, issued_at=now)
    except IntegrityError:
        # Lost a race with another registration: say which unique value it took.
        _ensure_card_free(number)
        _ensure_id_free(id_hash, patron_id=None)
        raise
    events.record(
        "patron.created",
        actor=actor,
        target=patron,
        data={"card_number": number, "category": patron.category, "home_library": home_library.code},
        now=now,
    )
    return patron


@transaction.atomic
def update_patron(
    *,
    patron: Patron,
    actor: Any,
    name: str = _UNCHANGED,
    category: str = _UNCHANGED,
    home_library: Library = _UNCHANGED,
    email: str = _UNCHANGED,
    phone: str = _UNCHANGED,
    address: str = _UNCHANGED,
    responsible_person: str = _UNCHANGED,
    home_delivery: bool = _UNCHANGED,
    id_number: str | None = _UNCHANGED,
    now: datetime | None = None,
) -> Patron:
    """Change a reader's details; only the arguments given change, and the audit names the changed fields."""
    now = now or timezone.now()
    locked = lock_patron(patron.pk)
    given = {
        "name": name,
        "category": category,
        "email": email,
        "phone": phone,
        "address": address,
        "responsible_person": responsible_person,
    }
    merged = {key: (getattr(locked, key) if value is _UNCHANGED else value) for key, value in given.items()}
    values: dict[str, Any] = _profile(**merged)
    if home_library is not _UNCHANGED:
        values["home_library_id"] = home_library.pk
    if home_delivery is not _UNCHANGED:
        values["home_delivery"] = bool(home_delivery)
    if id_number is not _UNCHANGED:
        values["id_number_hash"], values["id_number_masked"] = _id_fields(id_number)
        _ensure_id_free(values["id_number_hash"], patron_id=locked.pk)
    changed = sorted(key for key, value in values.items() if getattr(locked, key) != value)
    for key in changed:
        setattr(locked, key, values[key])
    if changed:
        locked.updated_at = now
        locked.save(update_fields=[*changed, "updated_at"])
        # Field names only: the audit trail must not become a second copy of personal data.
        shown = ["home_library" if key == "home_library_id" else key for key in changed if key != "id_number_hash"]
        events.record("patron.updated", actor=actor, target=locked, data={"changed": shown}, now=now)
    return locked


@transaction.atomic
def renew_card(*, patron: Patron, actor: Any, expires_on: date | None = None, now: datetime | None = None) -> Patron:
    """Extend the card to `expires_on` (default five years from today); an expiry in the past is refused."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    new_expiry = expires_on or _years_later(today, CARD_VALID_YEARS)
    if new_expiry <= today:
        raise InvalidInput(
            _("The new expiry date must be after today ({today}).").format(today=today), field="expires_on"
        )
    locked = lock_patron(patron.pk)
    old_expiry = locked.expires_on
    locked.expires_on = new_expiry
    locked.updated_at = now
    locked.save(update_fields=["expires_on", "updated_at"])
    events.record(
        "patron.card_renewed",
        actor=actor,
        target=locked,
        data={"from": old_expiry.isoformat(), "to": new_expiry.isoformat()},
        now=now,
    )
    return locked


@transaction.atomic
def report_lost_card(
    *, patron: Patron, actor: Any, reason: str = "", new_card_number: str | None = None, now: datetime | None = None
) -> Patron:
    """Block the card at once (a lost-card block); with `new_card_number`, also issue the replacement now."""
    now = now or timezone.now()
    locked = lock_patron(patron.pk)
    text = reason.strip() or _("Card {card} reported lost.").format(card=locked.card_number)
    PatronBlock.objects.create(
        patron=locked, kind=BlockKind.LOST_CARD, reason=text, actor=events.staff_user(actor), created_at=now
    )
    events.record(
        "patron.card_reported_lost", actor=actor, target=locked, data={"card_number": locked.card_number}, now=now
    )
    if new_card_number is not None:
        return replace_card(patron=locked, new_card_number=new_card_number, actor=actor, now=now)
    return locked


@transaction.atomic
def replace_card(*, patron: Patron, new_card_number: str, actor: Any, now: datetime | None = None) -> Patron:
    """Issue a new card number: the old one is retired (recognised, never reused) and lost-card blocks lift."""
    now = now or timezone.now()
    number = _card_number(new_card_number)
    locked = lock_patron(patron.pk)
    _ensure_card_free(number)
    lost = PatronBlock.objects.filter(patron=locked, kind=BlockKind.LOST_CARD, lifted_at__isnull=True)
    reason = _("reported lost") if lost.exists() else _("replaced")
    old_number = locked.card_number
    PatronCard.objects.update_or_create(
        number=old_number,
        defaults={"patron": locked, "retired_at": now, "retired_reason": reason},
        create_defaults={"patron": locked, "issued_at": locked.created_at, "retired_at": now, "retired_reason": reason},
    )
    PatronCard.objects.create(patron=locked, number=number, issued_at=now)
    lost.update(lifted_at=now, lifted_by=events.staff_user(actor))
    locked.card_number = number
    locked.updated_at = now
    locked.save(update_fields=["card_number", "updated_at"])
    events.record("patron.card_replaced", actor=actor, target=locked, data={"from": old_number, "to": number}, now=now)
    return locked


@transaction.atomic
def add_block(
    *, patron: Patron, reason: str, actor: Any, kind: str = BlockKind.MANUAL, now: datetime | None = None
) -> PatronBlock:
    """Block the reader from borrowing until staff lift it; the reason is required and shown at every desk."""
    now = now or timezone.now()
    text = (reason or "").strip()
    if not text:
        raise InvalidInput(_("Say why the reader is blocked."), field="reason")
    if kind not in BlockKind.values:
        raise InvalidInput(_("Unknown block kind {kind!r}.").format(kind=kind), field="kind")
    block = PatronBlock.objects.create(
        patron=patron, kind=kind, reason=text[:300], actor=events.staff_user(actor), created_at=now
    )
    events.record("patron.blocked", actor=actor, target=patron, data={"block": block.pk, "kind": kind}, now=now)
    return block


@transaction.atomic
def lift_block(*, block: PatronBlock, actor: Any, now: datetime | None = None) -> PatronBlock:
    """Lift a stored block, keeping it as history; lifting twice is refused."""
    now = now or timezone.now()
    locked = PatronBlock.objects.select_for_update().get(pk=block.pk)
    if locked.lifted_at is not None:
        raise BlockAlreadyLifted(field="block", when=timezone.localtime(locked.lifted_at).strftime("%Y-%m-%d %H:%M"))
    locked.lifted_at = now
    locked.lifted_by = events.staff_user(actor)
    locked.save(update_fields=["lifted_at", "lifted_by"])
    events.record(
        "patron.block_lifted",
        actor=actor,
        target=locked.patron,
        data={"block": locked.pk, "kind": locked.kind},
        now=now,
    )
    return locked


@transaction.atomic
def set_history_opt_in(*, patron: Patron, opt_in: bool, actor: Any, now: datetime | None = None) -> Patron:
    """Record the reader's choice to keep their loan history (else loans are pseudonymised after return)."""
    now = now or timezone.now()
    locked = lock_patron(patron.pk)
    locked.history_opt_in = bool(opt_in)
    locked.updated_at = now
    locked.save(update_fields=["history_opt_in", "updated_at"])
    events.record("patron.history_opt_in", actor=actor, target=locked, data={"opt_in": bool(opt_in)}, now=now)
    return locked


def record_return(*, patron: Patron, on_time: bool) -> None:
    """Count one return for the credit standing (F() update; call inside the check-in transaction).

    Not audited on purpose: an event naming the reader at the moment of each return would let anyone
    re-link the pseudonymised loan log to the reader. Circulation's own check-in event covers the act.
    """
    counter = "on_time_returns" if on_time else "late_returns"
    Patron.objects.filter(pk=patron.pk).update(**{counter: F(counter) + 1})


@transaction.atomic
def record_lost(*, patron: Patron, actor: Any = None, now: datetime | None = None) -> None:
    """Count one item the reader lost, for the credit standing."""
    Patron.objects.filter(pk=patron.pk).update(lost_items=F("lost_items") + 1)
    events.record("patron.item_lost", actor=actor, target=patron, now=now)


def add_to_fines_owed(*, patron: Patron, delta: Decimal) -> None:
    """Move the reader's fines owed by `delta`; only for fines services, inside their transaction, row locked.

    The sum is made in Python from the stored value and written whole: SQLite keeps decimals as binary
    floats, and an F() sum there would leave 1e-17 residues (below zero, past the CHECK, after a full payment).
    """
    if not delta:
        return
    rows = Patron.objects.select_for_update().filter(pk=patron.pk)
    owed = rows.values_list("fines_owed", flat=True).get() + delta
    rows.update(fines_owed=owed)
    patron.fines_owed = owed


def _card_number(raw: str) -> str:
    number = (raw or "").strip()
    if not _CARD.fullmatch(number):
        raise InvalidCardNumber(field="card_number", card=raw)
    return number


def _ensure_card_free(number: str) -> None:
    if PatronCard.objects.filter(number=number).exists() or Patron.objects.filter(card_number=number).exists():
        raise CardNumberTaken(field="card_number", card=number)


def _ensure_id_free(id_hash: str, *, patron_id: int | None) -> None:
    if not id_hash:
        return
    others = Patron.objects.filter(id_number_hash=id_hash)
    if patron_id is not None:
        others = others.exclude(pk=patron_id)
    if card := others.values_list("card_number", flat=True).first():
        raise IdNumberInUse(field="id_number", card=card)


def _id_fields(id_number: str | None) -> tuple[str, str]:
    """Return (keyed hash, masked form) of a checked ID-card number, or blanks when there is none."""
    if id_number is None or not id_number.strip():
        return "", ""
    number = idcard.validate(id_number)
    return idcard.keyed_hash(number), idcard.mask(number)


def _profile(
    *, name: str, category: str, email: str, phone: str, address: str, responsible_person: str
) -> dict[str, Any]:
    """Check the editable details and return them cleaned, or raise InvalidInput naming the field."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("A name is 1 to 100 characters."), field="name")
    if category not in Category.values:
        raise InvalidInput(
            _("Unknown reader category {category!r}; use one of {choices}.").format(
                category=category, choices=", ".join(Category.values)
            ),
            field="category",
        )
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("{email!r} is not an email address.").format(email=email), field="email") from None
    phone = (phone or "").strip()
    if phone and not _PHONE.fullmatch(phone):
        raise InvalidInput(_("{phone!r} is not a phone number.").format(phone=phone), field="phone")
    address = (address or "").strip()
    if len(address) > 300:
        raise InvalidInput(_("An address is at most 300 characters."), field="address")
    responsible_person = (responsible_person or "").strip()
    if category == Category.INSTITUTIONAL and not responsible_person:
        raise InvalidInput(
            _("A class or institution card needs a responsible person (the teacher or contact)."),
            field="responsible_person",
        )
    if len(responsible_person) > 100:
        raise InvalidInput(_("A responsible person's name is at most 100 characters."), field="responsible_person")
    return {
        "name": name,
        "category": category,
        "email": email,
        "phone": phone,
        "address": address,
        "responsible_person": responsible_person,
    }


def _years_later(day: date, years: int) -> date:
    """Return the same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
