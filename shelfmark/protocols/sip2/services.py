"""Writes to SIP2 terminal accounts: add (with a generated password), enable, disable, record a login."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.core import events
from shelfmark.libraries.models import Library, ServicePoint
from shelfmark.protocols.sip2.errors import (
    InvalidTerminalLogin,
    ServicePointElsewhere,
    TerminalLoginTaken,
    UnknownEncoding,
)
from shelfmark.protocols.sip2.models import Encoding, Terminal

_LOGIN = re.compile(r"[A-Za-z0-9_.-]{1,64}", re.ASCII)  # also the name of the terminal's log file


@transaction.atomic
def add_terminal(
    *,
    login: str,
    library: Library,
    service_point: ServicePoint,
    actor: Any,
    password: str | None = None,
    name: str = "",
    institution_id: str | None = None,
    encoding: str = Encoding.UTF8,
    accept_offline: bool = True,
    pin_required: bool = True,
    sort_bins: dict[str, str] | None = None,
    now: datetime | None = None,
) -> tuple[Terminal, str]:
    """Create a terminal account and its machine user; return it with its password (generated when not given)."""
    now = now or timezone.now()
    if not _LOGIN.fullmatch(login or ""):
        raise InvalidTerminalLogin(field="login", login=login)
    if Terminal.objects.filter(login=login).exists():
        raise TerminalLoginTaken(field="login", login=login)
    if encoding not in Encoding.values:
        raise UnknownEncoding(field="encoding", encoding=encoding, choices=", ".join(Encoding.values))
    if service_point.library_id != library.pk:
        raise ServicePointElsewhere(
            field="service_point", point=service_point.code, other=service_point.library.code, library=library.code
        )
    password = password or secrets.token_urlsafe(12)
    user = get_user_model().objects.create_user(username=f"sip2-{login}", first_name=(name or login)[:150])
    user.set_unusable_password()
    user.is_staff = False
    user.save()
    terminal = Terminal.objects.create(
        login=login,
        name=name,
        password_hash=make_password(password),
        library=library,
        service_point=service_point,
        institution_id=(institution_id or library.code).strip(),
        encoding=encoding,
        accept_offline=accept_offline,
        pin_required=pin_required,
        sort_bins={str(k): str(v) for k, v in (sort_bins or {}).items()},
        user=user,
        created_at=now,
    )
    if accept_offline:
        accounts.grant_role(user=user, role=Role.CIRCULATION, library=library, actor=actor)
    events.record(
        "sip2.terminal_added",
        actor=actor,
        target=terminal,
        data={"login": login, "library": library.code, "service_point": service_point.code, "encoding": encoding},
        now=now,
    )
    return terminal, password


@transaction.atomic
def set_enabled(*, terminal: Terminal, enabled: bool, actor: Any, now: datetime | None = None) -> Terminal:
    """Enable or disable a terminal; a disabled one cannot log in and its open sessions end within seconds."""
    locked = Terminal.objects.select_for_update().get(pk=terminal.pk)
    if locked.enabled != enabled:
        locked.enabled = enabled
        locked.save(update_fields=["enabled"])
        # The machine user holds no powers while the terminal is off (permission checks need an active user).
        type(locked.user).objects.filter(pk=locked.user_id).update(is_active=enabled)
        events.record(
            "sip2.terminal_enabled" if enabled else "sip2.terminal_disabled",
            actor=actor,
            target=locked,
            data={"login": locked.login},
            now=now,
        )
    terminal.enabled = locked.enabled
    return locked


def record_login(*, terminal: Terminal, now: datetime | None = None) -> None:
    """Note when the terminal last logged in (for the staff list); not audited, it happens on every connect."""
    Terminal.objects.filter(pk=terminal.pk).update(last_login_at=now or timezone.now())
