"""Permission-checked fetches for fines: who may see, take payments, add charges and waive.

Seeing a reader's charges is a read of the reader (audited, allowed wherever readers may be looked
up). Any desk of the network may take a payment (circulation.operate anywhere), as readers return
and pay anywhere. Adding a charge by hand or waiving one is a decision of the reader's home library
(patrons.edit there).
"""

from __future__ import annotations

from typing import Any

from shelfmark.accounts import permissions
from shelfmark.core.errors import PermissionDenied
from shelfmark.fines import selectors
from shelfmark.fines.models import Charge
from shelfmark.patrons import access as patron_access
from shelfmark.patrons.models import Patron


def get_patron_for_view(user: Any, patron_id: int) -> Patron:
    """Return the reader whose charges `user` may read (the read is audited)."""
    return patron_access.get_patron_for_staff(user, patron_id=patron_id)


def get_patron_for_payment(user: Any, patron_id: int) -> Patron:
    """Return the reader for taking a payment; refuses staff without circulation.operate anywhere."""
    if not permissions.has_perm(user, "circulation.operate", None):
        raise PermissionDenied("Permission circulation.operate is not granted.")
    return patron_access.get_patron_for_staff(user, patron_id=patron_id)


def get_patron_for_charging(user: Any, patron_id: int) -> Patron:
    """Return the reader for a charge added by hand (patrons.edit at the reader's home library)."""
    return patron_access.get_patron_for_edit(user, patron_id)


def get_charge_for_waiver(user: Any, charge_id: int) -> Charge:
    """Return a charge `user` may waive: patrons.edit at the reader's home library."""
    patron_access.require_view(user)
    charge = selectors.get_charge(charge_id)
    patron_access.require_edit_at(user, charge.patron.home_library)
    return charge
