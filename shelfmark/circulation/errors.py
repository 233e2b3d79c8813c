"""Typed refusals of the circulation desk, kiosk and API: one stable code each, a message the reader can act on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError


class CirculationRefusal(DomainError):
    """A refusal of check-out, renewal or hold; `overridable` says whether staff may override it with a reason."""

    status = 409
    overridable = False


class PatronBlocked(CirculationRefusal):
    code = "patron_blocked"
    default_message: Any = _("The reader is blocked: {reasons}")
    overridable = True


class LoanLimitReached(CirculationRefusal):
    code = "loan_limit_reached"
    default_message: Any = _("The reader already has {count} loans; the limit is {limit}.")
    overridable = True


class ItemNotLoanable(CirculationRefusal):
    code = "item_not_loanable"
    default_message: Any = _("Item {barcode} is for use in the library only.")
    overridable = True


class ItemNotAvailable(CirculationRefusal):
    code = "item_not_available"
    default_message: Any = _("Item {barcode} cannot circulate: its status is {status}.")
    overridable = True


class ItemAlreadyOnLoan(CirculationRefusal):
    code = "item_already_on_loan"
    default_message: Any = _("Item {barcode} is already on loan{to_whom}.")


class ItemOnHoldForAnother(CirculationRefusal):
    code = "item_on_hold_for_another"
    default_message: Any = _("Item {barcode} is held for another reader.")
    overridable = True


class DepositRequired(CirculationRefusal):
    code = "deposit_required"
    default_message: Any = _(
        "The reader's credit does not allow deposit-free borrowing; a deposit of {amount} is needed."
    )
    overridable = True


class RenewalLimitReached(CirculationRefusal):
    code = "renewal_limit_reached"
    default_message: Any = _("Item {barcode} has been renewed {count} times; the limit is {limit}.")
    overridable = True


class RenewalRefusedHoldsWaiting(CirculationRefusal):
    code = "renewal_refused_holds_waiting"
    default_message: Any = _("Item {barcode} cannot be renewed: other readers are waiting for it.")
    overridable = True


class LoanNotFound(DomainError):
    code = "loan_not_found"
    default_message: Any = _("Item {barcode} is not on loan.")
    status = 404


class HoldNotAllowed(CirculationRefusal):
    code = "hold_not_allowed"
    default_message: Any = _("This title cannot be booked: {reason}")


class HoldAlreadyPlaced(CirculationRefusal):
    code = "hold_already_placed"
    default_message: Any = _("The reader already has a booking for this title.")


class HoldLimitReached(CirculationRefusal):
    code = "hold_limit_reached"
    default_message: Any = _("The reader already has {count} bookings; the limit is {limit}.")


class HoldNotFound(DomainError):
    code = "hold_not_found"
    default_message: Any = _("No such booking.")
    status = 404


class HoldNotCancellable(CirculationRefusal):
    code = "hold_not_cancellable"
    default_message: Any = _("The booking is already {status} and cannot be cancelled.")


class OverrideNotAllowed(DomainError):
    code = "override_not_allowed"
    default_message: Any = _("This refusal ({refusal}) cannot be overridden.")
    status = 403


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    default_message: Any = _("The idempotency key {key} was already used for a different request.")
    status = 409
