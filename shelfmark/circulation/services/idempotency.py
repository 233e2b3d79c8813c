"""Same key, same answer: a kiosk or client that retries after a timeout gets the first result, done once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from shelfmark.circulation.errors import IdempotencyKeyReused
from shelfmark.circulation.models import IdempotencyKey
from shelfmark.core import events, rows


def digest(*parts: object) -> str:
    """Fingerprint what a request asked for, so a key reused for another request is refused."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def replay_or_claim(
    *, key: str | None, operation: str, request: str, actor: Any, now: datetime
) -> dict[str, Any] | None:
    """Return the stored result of an earlier request with this key, or claim the key and return None.

    Call inside the service's transaction: the claim commits or rolls back with the work, so a refused request
    leaves the key free, and a second request with the key waits on the first one's row until it commits.
    """
    if not key:
        return None
    user = events.staff_user(actor)
    claim = IdempotencyKey(key=key, operation=operation, request_digest=request, result={}, created_at=now, actor=user)
    if rows.insert_unless_taken(claim, unique="key"):
        return None
    stored = IdempotencyKey.objects.get(key=key)
    if stored.operation != operation or stored.request_digest != request:
        raise IdempotencyKeyReused(key=key, field="idempotency_key")
    return stored.result


def remember(*, key: str | None, result: dict[str, Any]) -> None:
    """Store the result of the request that claimed `key`."""
    if key:
        IdempotencyKey.objects.filter(key=key).update(result=result)


def once(
    *,
    key: str | None,
    operation: str,
    request: str,
    actor: Any,
    now: datetime,
    run: Callable[[], Any],
    result_of: Callable[[Any], dict[str, Any]],
    replay: Callable[[dict[str, Any]], Any],
) -> Any:
    """Run `run()` the first time a key is seen; later calls with the key replay the stored result."""
    stored = replay_or_claim(key=key, operation=operation, request=request, actor=actor, now=now)
    if stored is not None:
        return replay(stored)
    outcome = run()
    remember(key=key, result=result_of(outcome))
    return outcome
