"""Typed refusals about charges, payments and waivers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, NotFound


class ChargeNotFound(NotFound):
    code = "charge_not_found"
    default_message: Any = _("No charge with id {charge}.")


class ChargeConflict(DomainError):
    code = "charge_conflict"
    default_message: Any = _(
        "A {kind} charge for {source} already exists with a different reader or amount ({amount})."
    )
    status = 409


class ChargeBelowSettled(DomainError):
    code = "charge_below_settled"
    default_message: Any = _("The charge cannot drop to {amount}: {settled} of it is already paid or waived.")
    status = 409


class OverPayment(DomainError):
    code = "overpayment"
    default_message: Any = _("{amount} yuan is more than the {owed} yuan the reader owes; nothing was taken.")
    status = 409


class WaiverTooLarge(DomainError):
    code = "waiver_too_large"
    default_message: Any = _("Only {outstanding} yuan of this charge is outstanding; {amount} cannot be waived.")
    status = 409
