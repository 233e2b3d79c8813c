"""Typed refusals about readers: cards, PINs, ID-card numbers, blocks and deposits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, InvalidInput, NotFound


class PatronNotFound(NotFound):
    code = "patron_not_found"
    default_message: Any = _("No reader with {what} {value}.")


class CardRetired(DomainError):
    code = "card_retired"
    default_message: Any = _("Card {card} is no longer valid ({reason}); the reader has been given a new card.")
    status = 409

    def __init__(self, *, card: str, reason: str, patron_id: int) -> None:
        super().__init__(field="card", card=card, reason=reason)
        self.patron_id = patron_id


class CardReportedLost(DomainError):
    code = "card_reported_lost"
    default_message: Any = _("Card {card} was reported lost; ask at a desk for a new card.")
    status = 409


class CardNumberTaken(DomainError):
    code = "card_number_taken"
    default_message: Any = _("Card number {card} is already in use or was used before.")
    status = 409


class InvalidCardNumber(InvalidInput):
    code = "invalid_card_number"
    default_message: Any = _("A card number is 1 to 32 letters, digits or hyphens; got {card!r}.")


class InvalidIdNumber(InvalidInput):
    code = "invalid_id_number"
    default_message: Any = _("The ID-card number is not valid: {problem}")


class IdNumberInUse(DomainError):
    code = "id_number_in_use"
    default_message: Any = _("Another reader (card {card}) is already registered with this ID-card number.")
    status = 409


class InvalidPin(InvalidInput):
    code = "invalid_pin"
    default_message: Any = _("A PIN is 4 to 8 digits.")


class PinNotSet(DomainError):
    code = "pin_not_set"
    default_message: Any = _("This reader has no PIN yet; a PIN can be set at any desk.")
    status = 409


class PinIncorrect(DomainError):
    code = "pin_incorrect"
    default_message: Any = _(
        "The PIN is wrong; {tries_left} more tries before the card is locked for {minutes} minutes."
    )
    status = 403

    def __init__(self, *, tries_left: int, minutes: int) -> None:
        super().__init__(field="pin", tries_left=tries_left, minutes=minutes)
        self.tries_left = tries_left


class PinLocked(DomainError):
    code = "pin_locked"
    default_message: Any = _("Too many wrong PINs: the card is locked until {until}.")
    status = 423

    def __init__(self, *, until: datetime) -> None:
        super().__init__(field="pin", until=timezone.localtime(until).strftime("%Y-%m-%d %H:%M"))
        self.until = until


class BlockAlreadyLifted(DomainError):
    code = "block_already_lifted"
    default_message: Any = _("This block was already lifted on {when}.")
    status = 409


class BlockNotFound(NotFound):
    code = "block_not_found"
    default_message: Any = _("Reader {patron} has no block {block}.")


class InvalidAmount(InvalidInput):
    code = "invalid_amount"
    default_message: Any = _("{name} must be a positive amount in yuan with at most two decimals; got {value}.")


class DepositInsufficient(DomainError):
    code = "deposit_insufficient"
    default_message: Any = _("The deposit balance is {balance} yuan; {amount} yuan cannot be refunded.")
    status = 409
