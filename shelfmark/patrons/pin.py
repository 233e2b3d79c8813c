"""Reader PINs: a keyed, salted hash checked in about a millisecond, locked after five wrong tries in a row.

A PIN has at most 10^8 values, so no hash speed makes a stolen table safe on its own: a slow hash
(PBKDF2 at 0.3 s) only stretches the search, and it would cost every kiosk message that carries a
PIN (SIP2 sends one with each patron request) a third of a second of CPU. Instead the PIN is keyed
with SECRET_KEY, which lives in the data directory, not in the database: a copy of the patron table
alone cannot be searched at all. PBKDF2 with a few thousand rounds on top keeps a leaked key from
turning into instant answers. Online guessing is stopped by the lockout. See docs/adr/0005.
Hashes made by Django's password hashers (older rows) still verify.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from shelfmark.core import events
from shelfmark.patrons import rules
from shelfmark.patrons.errors import InvalidPin, PinIncorrect, PinLocked, PinNotSet
from shelfmark.patrons.models import Patron
from shelfmark.patrons.selectors import lock_patron

_PIN = re.compile(r"\d{4,8}", re.ASCII)


def validate_pin(pin: str) -> str:
    """Return the PIN if it is 4 to 8 ASCII digits, else raise InvalidPin."""
    if not isinstance(pin, str) or not _PIN.fullmatch(pin):
        raise InvalidPin(field="pin")
    return pin


ALGORITHM = "pin_pbkdf2_keyed"
ROUNDS = 3000


def _digest(pin: str, salt: str, rounds: int) -> str:
    keyed = hmac.new(settings.SECRET_KEY.encode(), pin.encode(), hashlib.sha256).digest()
    return hashlib.pbkdf2_hmac("sha256", keyed, salt.encode(), rounds).hex()


def hash_pin(pin: str) -> str:
    """Check a PIN and hash it keyed with SECRET_KEY and a fresh salt."""
    salt = secrets.token_hex(8)
    return f"{ALGORITHM}${ROUNDS}${salt}${_digest(validate_pin(pin), salt, ROUNDS)}"


def pin_matches(pin: str, encoded: str) -> bool:
    """Tell whether `pin` is the one `encoded` was made from (keyed hash, or an older Django password hash)."""
    if not _PIN.fullmatch(pin or ""):
        return False
    algorithm, _, rest = encoded.partition("$")
    if algorithm != ALGORITHM:
        return check_password(pin, encoded)
    rounds, salt, digest = rest.split("$", 2)
    return hmac.compare_digest(_digest(pin, salt, int(rounds)), digest)


@transaction.atomic
def set_pin(*, patron: Patron, pin: str, actor: Any, now: datetime | None = None) -> Patron:
    """Give the reader a new PIN and clear any failed tries and lock."""
    pin_hash = hash_pin(pin)
    locked = lock_patron(patron.pk)
    locked.pin_hash = pin_hash
    locked.failed_pin_attempts = 0
    locked.pin_locked_until = None
    locked.updated_at = now or timezone.now()
    locked.save(update_fields=["pin_hash", "failed_pin_attempts", "pin_locked_until", "updated_at"])
    events.record("patron.pin_set", actor=actor, target=locked, now=now)
    _copy_pin_state(locked, patron)
    return locked


def verify_pin(*, patron: Patron, pin: str, now: datetime | None = None) -> None:
    """Accept the reader's PIN or raise PinIncorrect (tries left) / PinLocked (until when) / PinNotSet."""
    now = now or timezone.now()
    current = Patron.objects.only("pin_hash", "pin_locked_until").get(pk=patron.pk)
    if rules.is_pin_locked(current.pin_locked_until, now):
        _copy_pin_state(current, patron, failures=False)
        raise PinLocked(until=current.pin_locked_until)  # type: ignore[arg-type]
    if not current.pin_hash:
        raise PinNotSet(field="pin")
    # Hash outside the row lock: the count below is what must not race.
    correct = pin_matches(pin, current.pin_hash)
    with transaction.atomic():
        locked = lock_patron(patron.pk)
        if rules.is_pin_locked(locked.pin_locked_until, now):
            attempt = None  # another attempt locked the card while this one was hashing
        else:
            attempt = rules.pin_attempt(failed_before=locked.failed_pin_attempts, correct=correct, now=now)
            _save_attempt(locked, attempt, now)
    _copy_pin_state(locked, patron)
    if attempt is None or attempt.locked_until is not None:
        raise PinLocked(until=locked.pin_locked_until)  # type: ignore[arg-type]
    if not attempt.accepted:
        raise PinIncorrect(tries_left=attempt.tries_left, minutes=int(rules.PIN_LOCK.total_seconds() // 60))


def _save_attempt(locked: Patron, attempt: rules.PinAttempt, now: datetime) -> None:
    unchanged = (locked.failed_pin_attempts, locked.pin_locked_until) == (attempt.failed_attempts, attempt.locked_until)
    locked.failed_pin_attempts = attempt.failed_attempts
    locked.pin_locked_until = attempt.locked_until
    if not unchanged:  # a right PIN with a clean slate writes nothing
        locked.save(update_fields=["failed_pin_attempts", "pin_locked_until"])
    if attempt.locked_until is not None:
        events.record("patron.pin_locked", target=locked, data={"until": attempt.locked_until.isoformat()}, now=now)
    elif not attempt.accepted:
        events.record("patron.pin_failed", target=locked, data={"tries_left": attempt.tries_left}, now=now)


def _copy_pin_state(source: Patron, target: Patron, *, failures: bool = True) -> None:
    """Keep the caller's instance in step with the row, so it does not save stale PIN fields later."""
    if target is source:
        return
    target.pin_locked_until = source.pin_locked_until
    if failures:
        target.failed_pin_attempts = source.failed_pin_attempts
    if "pin_hash" in source.__dict__:
        target.pin_hash = source.pin_hash
