"""Reader login for the self-service pages: card + PIN into a session key of its own, apart from staff logins."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from shelfmark.core import events
from shelfmark.patrons import selectors
from shelfmark.patrons.errors import CardReportedLost
from shelfmark.patrons.models import BlockKind, Patron, PatronBlock
from shelfmark.patrons.pin import verify_pin

SESSION_KEY = "_shelfmark_patron_id"
SESSION_HASH_KEY = "_shelfmark_patron_hash"
_SALT = "shelfmark.patrons.auth.session"


def login_reader(request: HttpRequest, card: str, pin: str, *, now: datetime | None = None) -> Patron:
    """Check card and PIN (with the lockout) and log the reader in; raises the PIN or card errors as they are."""
    patron = selectors.find_patron_by_card(card)
    if PatronBlock.objects.filter(patron=patron, kind=BlockKind.LOST_CARD, lifted_at__isnull=True).exists():
        raise CardReportedLost(field="card", card=patron.card_number)
    verify_pin(patron=patron, pin=pin, now=now)
    # A new session key on login, so a key planted before it (session fixation) is worth nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = patron.pk
    request.session[SESSION_HASH_KEY] = _session_hash(patron)
    events.record("patron.logged_in", target=patron, now=now)
    return patron


def current_patron(request: HttpRequest) -> Patron | None:
    """Return the logged-in reader, or None; a PIN or card change since login ends the session."""
    patron_id = request.session.get(SESSION_KEY)
    if patron_id is None:
        return None
    patron = Patron.objects.select_related("home_library").filter(pk=patron_id).first()
    if patron is None or not constant_time_compare(request.session.get(SESSION_HASH_KEY, ""), _session_hash(patron)):
        _forget(request)
        return None
    return patron


def logout_reader(request: HttpRequest) -> None:
    """Log the reader out, leaving any staff login in the same browser alone."""
    patron_id = request.session.get(SESSION_KEY)
    _forget(request)
    if patron_id is not None:
        request.session.cycle_key()
        events.record("patron.logged_out", target=Patron(pk=patron_id))


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(SESSION_HASH_KEY, None)


def _session_hash(patron: Patron) -> str:
    """Bind the session to the PIN hash and card number, as Django binds staff sessions to the password hash."""
    return salted_hmac(_SALT, f"{patron.pk}:{patron.card_number}:{patron.pin_hash}", algorithm="sha256").hexdigest()
