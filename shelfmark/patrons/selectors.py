"""Reads of readers: find by card or ID-card number, lock, standing, blocks, deposit balance."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.core import rows
from shelfmark.libraries.selectors import library_by_id
from shelfmark.patrons import idcard, rules
from shelfmark.patrons.errors import CardRetired, PatronNotFound
from shelfmark.patrons.models import DepositEntry, Patron, PatronBlock, PatronCard

DEFAULT_FINES_BLOCK_LIMIT = Decimal("50.00")


def find_patron_by_card(card: str) -> Patron:
    """Return the reader whose current card this is; a replaced card raises CardRetired, an unknown one PatronNotFound."""
    number = card.strip()
    found = rows.select_one(Patron, "card_number = %s", [number])
    if found is not None:
        found.home_library = library_by_id(found.home_library_id)
        return found
    old = PatronCard.objects.filter(number=number, retired_at__isnull=False).first()
    if old is not None:
        raise CardRetired(card=number, reason=old.retired_reason or _("retired"), patron_id=old.patron_id)
    raise PatronNotFound(field="card", what=_("card number"), value=number)


def get_patron(patron_id: int) -> Patron:
    """Return the reader with this id or raise PatronNotFound."""
    try:
        return Patron.objects.select_related("home_library").get(pk=patron_id)
    except Patron.DoesNotExist:
        raise PatronNotFound(field="id", what="id", value=patron_id) from None


def find_patron_by_id_number(id_number: str) -> Patron:
    """Return the reader registered with this ID-card number (checked, then hashed and looked up)."""
    number = idcard.validate(id_number)
    try:
        return Patron.objects.select_related("home_library").get(id_number_hash=idcard.keyed_hash(number))
    except Patron.DoesNotExist:
        raise PatronNotFound(field="id_number", what=_("ID-card number"), value=idcard.mask(number)) from None


def lock_patron(patron_id: int) -> Patron:
    """Return the reader's row locked for the rest of the transaction (select_for_update)."""
    found = rows.select_one(Patron, "id = %s", [patron_id], lock=True)
    if found is None:
        raise PatronNotFound(field="id", what="id", value=patron_id)
    return found


def standing(patron: Patron) -> rules.Standing:
    """Return the reader's credit standing from their own counters and fines owed."""
    return rules.credit_standing(
        on_time_returns=patron.on_time_returns,
        late_returns=patron.late_returns,
        lost_items=patron.lost_items,
        fines_owed=patron.fines_owed,
    )


def fines_block_limit() -> Decimal:
    """Return the fines owed above which a reader is blocked (settings.SHELFMARK_FINES_BLOCK_LIMIT, 50.00 yuan)."""
    return Decimal(str(getattr(settings, "SHELFMARK_FINES_BLOCK_LIMIT", DEFAULT_FINES_BLOCK_LIMIT)))


def active_stored_blocks(patron: Patron) -> list[PatronBlock]:
    """Return the manual and lost-card blocks that are not lifted, oldest first."""
    return list(PatronBlock.objects.filter(patron_id=patron.pk, lifted_at__isnull=True).order_by("created_at", "id"))


def blocks(patron: Patron, *, now: datetime | None = None, stored: bool = True) -> list[rules.Block]:
    """Return every block on the reader now (expired, fines over limit, lost card, manual), each with its reason.

    A caller that has just counted the reader's stored blocks and found none passes `stored=False`.
    """
    today = timezone.localdate(now or timezone.now())
    found = rules.computed_blocks(
        expires_on=patron.expires_on, today=today, fines_owed=patron.fines_owed, fines_limit=fines_block_limit()
    )
    if stored:
        found += [rules.Block(b.kind, b.reason, b.pk) for b in active_stored_blocks(patron)]
    return found


def block_history(patron: Patron) -> list[PatronBlock]:
    """Return every stored block of the reader, lifted or not, oldest first."""
    return list(PatronBlock.objects.filter(patron_id=patron.pk).order_by("created_at", "id"))


def deposit_balance(patron: Patron) -> Decimal:
    """Return the deposit the library holds for the reader (taken minus refunded)."""
    total = DepositEntry.objects.filter(patron_id=patron.pk).aggregate(total=Sum("amount"))["total"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


def deposit_entries(patron: Patron) -> list[DepositEntry]:
    """Return the reader's deposit ledger, oldest first."""
    return list(DepositEntry.objects.filter(patron_id=patron.pk).order_by("created_at", "id"))


def cards(patron: Patron) -> list[PatronCard]:
    """Return every card number the reader has held, the current one last."""
    return list(PatronCard.objects.filter(patron_id=patron.pk).order_by("id"))
