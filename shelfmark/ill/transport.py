"""Post ISO 18626 messages to a partner's endpoint and read its confirmation (synchronous, with a timeout)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

from shelfmark.ill import iso18626

DEFAULT_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Delivery:
    """What became of one post: confirmed (OK or ERROR), or not delivered at all (`problem` says why)."""

    confirmation: iso18626.Confirmation | None
    problem: str = ""


def post(url: str, body: bytes) -> Delivery:
    """POST the message as XML; a network error, an HTTP error or an answer that is not a confirmation is a problem."""
    timeout = float(getattr(settings, "SHELFMARK_ILL_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS))
    http = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/xml; charset=utf-8", "Accept": "application/xml"},
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as response:
            answer = response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        return Delivery(None, f"HTTP {exc.code} from {url}")
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return Delivery(None, f"{url}: {exc}")
    try:
        return Delivery(iso18626.read_confirmation(answer))
    except iso18626.MessageError as exc:
        return Delivery(None, f"{url}: {exc.value}")
