"""Pseudonymous reader keys for event logs and analytics: stable per reader, not reversible without SECRET_KEY."""

from __future__ import annotations

from typing import Any

from django.utils.crypto import salted_hmac

_SALT = "shelfmark.patrons.reader_key"


def reader_key(patron: Any) -> str:
    """Return 32 hex characters of the HMAC-SHA256 of the reader's id (accepts a Patron or its id)."""
    patron_id = getattr(patron, "pk", patron)
    if patron_id is None:
        raise ValueError("A reader key needs a saved reader.")
    return salted_hmac(_SALT, str(int(patron_id)), algorithm="sha256").hexdigest()[:32]
