"""Reads of SIP2 terminals: list them, find one, and check a terminal's login and password."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db.models import Q, QuerySet

from shelfmark.catalog import isbn
from shelfmark.catalog.models import Record
from shelfmark.circulation.models import Hold, Loan, Transit
from shelfmark.core.errors import NotFound
from shelfmark.holdings.models import Item
from shelfmark.libraries import selectors as library_selectors
from shelfmark.libraries.models import Library
from shelfmark.protocols.sip2.errors import TerminalNotFound
from shelfmark.protocols.sip2.models import Terminal

# Passwords already checked against a stored hash, so a kiosk that reconnects for every transaction pays the
# slow hasher once per process. Keyed by the stored hash: a new password or a disabled account misses.
_checked: dict[tuple[int, str], bytes] = {}


def terminals() -> QuerySet[Terminal]:
    """Return every terminal with its library and service point, by login."""
    return Terminal.objects.select_related("library", "service_point").order_by("login")


def get_terminal(login: str) -> Terminal:
    """Return the terminal with this login, or raise TerminalNotFound."""
    try:
        return terminals().select_related("user").get(login=login)
    except Terminal.DoesNotExist:
        raise TerminalNotFound(field="login", login=login) from None


def authenticate(login: str, password: str) -> Terminal | None:
    """Return the enabled terminal whose login and password these are, else None."""
    terminal = terminals().select_related("user").filter(login=login, enabled=True).first()
    if terminal is None or not password:
        return None
    key = (terminal.pk, terminal.password_hash)
    digest = hmac.new(settings.SECRET_KEY.encode(), password.encode(), hashlib.sha256).digest()
    known = _checked.get(key)
    if known is not None:
        return terminal if hmac.compare_digest(known, digest) else None
    if not check_password(password, terminal.password_hash):
        return None
    _checked[key] = digest
    return terminal


def is_enabled(terminal_id: int) -> bool:
    """Tell whether the terminal is still enabled (sessions ask every few seconds)."""
    return Terminal.objects.filter(pk=terminal_id, enabled=True).exists()


@dataclass(frozen=True)
class ItemCirculation:
    """What an item information response tells about a copy beyond its own row."""

    due_on: date | None
    queue_length: int
    hold_expires_on: date | None
    destination: str


def item_circulation(item: Item) -> ItemCirculation:
    """Read a copy's due date, the holds waiting for it, its hold-shelf expiry and where it is travelling to."""
    due_on = Loan.objects.filter(item=item, status=Loan.Status.ACTIVE).values_list("due_on", flat=True).first()
    queue = (
        Hold.objects.filter(status=Hold.Status.WAITING)
        .filter(Q(item=item) | Q(item__isnull=True, record_id=item.record_id))
        .count()
    )
    expires = (
        Hold.objects.filter(trapped_item=item, status=Hold.Status.READY).values_list("expires_on", flat=True).first()
    )
    destination = (
        Transit.objects.filter(item=item, received_at__isnull=True).values_list("to_library__code", flat=True).first()
    )
    return ItemCirculation(due_on=due_on, queue_length=queue, hold_expires_on=expires, destination=destination or "")


def record_by_identifier(text: str) -> Record | None:
    """Return the title a kiosk names by control number, or by ISBN (10 or 13 digits, hyphens allowed)."""
    found = Record.objects.defer("marc").filter(control_number=text).first()
    if found is None and (number := isbn.to_13(text)):
        found = Record.objects.defer("marc").filter(isbn=number).first()
    return found


def library_by_code(code: str) -> Library | None:
    """Return the library with this code, or None."""
    try:
        return library_selectors.get_library(code)
    except NotFound:
        return None
