"""What every reader page shares: the account page's context, refusals shown on it, htmx detection, form keys."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shelfmark.opac import selectors, wording
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron

_FORM_KEY = re.compile(r"[0-9a-f]{32}")


def is_htmx(request: HttpRequest) -> bool:
    """Tell an htmx request (swap a fragment) from a plain form post (render or redirect a whole page)."""
    return request.headers.get("HX-Request") == "true"


def new_form_key() -> str:
    """Return a fresh key for one rendered form, so a double tap or a retried post acts once."""
    return uuid.uuid4().hex


def idempotency_key(request: HttpRequest, patron: Patron, action: str, *parts: object) -> str | None:
    """Return the service idempotency key for this form post, or None when the form carried no valid key."""
    key = request.POST.get("key", "")
    if not _FORM_KEY.fullmatch(key):
        return None
    return ":".join(["opac", action, str(patron.pk), key, *(str(part) for part in parts)])


def account_context(patron: Patron) -> dict[str, Any]:
    """Gather everything the account page shows about the reader."""
    now = timezone.now()
    standing = selectors.standing(patron)
    fines = selectors.fines_owed(patron)
    loans = selectors.loans(patron, now=now)
    blocks = [wording.block_text(block, patron) for block in patron_selectors.blocks(patron, now=now)]
    overdue = sum(1 for line in loans if line.overdue_days)
    if overdue:
        blocks.append(wording.overdue_text(overdue))
    return {
        "reader": patron,
        "blocks": blocks,
        "loans": loans,
        "holds": selectors.holds(patron),
        "fines": fines,
        "standing": standing,
        "standing_terms": wording.standing_terms(patron, standing),
        "standing_summary": wording.standing_summary(standing),
        "history": selectors.history(patron) if patron.history_opt_in else [],
        "form_key": new_form_key,
    }


def render_account(request: HttpRequest, patron: Patron, *, alert: str = "", status: int = 200) -> HttpResponse:
    """Render the whole account page, with a refusal at the top when there is one."""
    return render(request, "opac/account.html", {**account_context(patron), "alert": alert}, status=status)
