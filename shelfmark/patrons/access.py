"""Permission-checked, audited fetches of readers: API operations and pages ask here, never decide themselves.

Return-anywhere means any desk of the network serves any reader, so looking a reader up needs
`patrons.view` or `circulation.operate` anywhere in the network. Changing a reader needs
`patrons.edit` at the reader's home library (a grant on a library covers its subtree). Every staff
read of a reader is recorded as a `patron.viewed` audit event.
"""

from __future__ import annotations

from typing import Any

from shelfmark.accounts import permissions
from shelfmark.core import events
from shelfmark.core.errors import PermissionDenied
from shelfmark.libraries.models import Library
from shelfmark.patrons import selectors
from shelfmark.patrons.errors import BlockNotFound
from shelfmark.patrons.models import Patron, PatronBlock

VIEW_PERMS = ("patrons.view", "circulation.operate")


def may_view(user: Any) -> bool:
    """Tell whether `user` may look readers up (at any desk of the network)."""
    return any(permissions.has_perm(user, perm, None) for perm in VIEW_PERMS)


def require_view(user: Any) -> None:
    """Raise PermissionDenied unless `user` may look readers up."""
    if not may_view(user):
        raise PermissionDenied("Permission patrons.view (or circulation.operate) is not granted.")


def may_edit(user: Any, patron: Patron) -> bool:
    """Tell whether `user` may change this reader: patrons.edit at the reader's home library."""
    return permissions.has_perm(user, "patrons.edit", patron.home_library)


def require_edit_at(user: Any, library: Library) -> None:
    """Raise PermissionDenied unless `user` may register or change readers of `library`."""
    permissions.require(user, "patrons.edit", library)


def get_patron_for_staff(user: Any, *, patron_id: int | None = None, card: str | None = None) -> Patron:
    """Return a reader by id or card for a staff member who may look readers up, and audit the read."""
    require_view(user)
    if (patron_id is None) == (card is None):
        raise ValueError("Give exactly one of patron_id and card.")
    patron = selectors.get_patron(patron_id) if patron_id is not None else selectors.find_patron_by_card(card or "")
    _audit_view(user, patron, via="id" if patron_id is not None else "card")
    return patron


def find_patron_by_id_number_for_staff(user: Any, id_number: str) -> Patron:
    """Return the reader registered with this ID-card number, for the desk, and audit the read."""
    require_view(user)
    patron = selectors.find_patron_by_id_number(id_number)
    _audit_view(user, patron, via="id_number")
    return patron


def get_patron_for_edit(user: Any, patron_id: int) -> Patron:
    """Return a reader that `user` may change, or raise PermissionDenied / PatronNotFound before any write."""
    require_view(user)
    patron = selectors.get_patron(patron_id)
    require_edit_at(user, patron.home_library)
    return patron


def get_block_for_edit(user: Any, patron_id: int, block_id: int) -> PatronBlock:
    """Return a stored block of a reader that `user` may change."""
    patron = get_patron_for_edit(user, patron_id)
    try:
        return PatronBlock.objects.select_related("patron").get(pk=block_id, patron=patron)
    except PatronBlock.DoesNotExist:
        raise BlockNotFound(field="block", patron=patron.card_number, block=block_id) from None


def audit_view(user: Any, patron: Patron, *, via: str) -> None:
    """Record that a staff member read this reader's details (for reads that did not come through here)."""
    _audit_view(user, patron, via=via)


def _audit_view(user: Any, patron: Patron, *, via: str) -> None:
    events.record("patron.viewed", actor=user, target=patron, data={"via": via})
