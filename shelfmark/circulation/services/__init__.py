"""Circulation writes: check out, check in anywhere, renew, holds, lost and claims returned, the overdue run."""

from shelfmark.circulation.services.checkin import CheckInResult, check_in
from shelfmark.circulation.services.checkout import check_out
from shelfmark.circulation.services.holds import cancel_hold, expire_hold_shelf, place_hold, trap_next_hold
from shelfmark.circulation.services.lost import claim_returned, mark_lost
from shelfmark.circulation.services.overdue import process_overdues
from shelfmark.circulation.services.renewal import renew

__all__ = [
    "CheckInResult",
    "cancel_hold",
    "check_in",
    "check_out",
    "claim_returned",
    "expire_hold_shelf",
    "mark_lost",
    "place_hold",
    "process_overdues",
    "renew",
    "trap_next_hold",
]
