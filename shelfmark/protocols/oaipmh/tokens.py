"""Resumption tokens: the list's request and the last record id sent, signed so that they cannot be forged, with
an expiry. Nothing is kept on the server, so any app server answers any token."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from .protocol import OaiError

_SALT = "shelfmark.protocols.oaipmh.resumption"


@dataclass(frozen=True)
class ListState:
    """Where a list stands: its request (verb, prefix, set, from, until), the last id sent, how many records were
    sent before the next response (cursor) and how many the whole list held when it began."""

    verb: str
    prefix: str
    set: str | None
    start: str | None
    end: str | None
    after: int
    cursor: int
    size: int


def lifetime() -> timedelta:
    return timedelta(seconds=int(settings.SHELFMARK_OAI_TOKEN_SECONDS))


def encode(state: ListState, *, now: datetime) -> tuple[str, datetime]:
    """Return a token for `state` and the moment it expires."""
    expires = (now + lifetime()).astimezone(UTC).replace(microsecond=0)
    token = signing.dumps({**asdict(state), "expires": int(expires.timestamp())}, salt=_SALT, compress=True)
    return token, expires


def decode(token: str, *, verb: str, now: datetime) -> ListState:
    """Return the state a token carries, or raise badResumptionToken when it is forged, expired or for another verb."""
    try:
        payload = signing.loads(token, salt=_SALT)
        expires = int(payload.pop("expires"))
        state = ListState(**payload)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise OaiError("badResumptionToken", _("resumptionToken 无效（不是本库签发的）。")) from None
    if now.timestamp() > expires:
        raise OaiError("badResumptionToken", _("resumptionToken 已过期，请从头开始这次收割。"))
    if state.verb != verb:
        raise OaiError(
            "badResumptionToken",
            _("这个 resumptionToken 属于 {verb}，不能用于 {other}。").format(verb=state.verb, other=verb),
        )
    return state
