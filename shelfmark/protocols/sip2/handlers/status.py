"""Login (93 → 94) and SC status (99 → 98): who the terminal is, and what this library system accepts from it."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shelfmark.protocols.sip2 import selectors, services, spec, translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.handlers.base import Context, institution, refusal

# Every request of SIP2 2.00 except patron enable (25), which the standard reserves for system testing.
SUPPORTED = frozenset(spec.SUPPORTED_ORDER) - {"25"}


def login(ctx: Context, request: Message) -> Message:
    """Log the connection in as a terminal account (plain-text login and password only)."""
    session = ctx.session
    if request.fixed["uid_algorithm"] not in "0 " or request.fixed["pwd_algorithm"] not in "0 ":
        return refusal(ctx, request, _("不支持加密的登录名或密码。"))
    terminal = selectors.authenticate(request.get("CN").strip(), request.get("CO"))
    if terminal is None:
        session.failed_logins += 1
        return refusal(ctx, request, _("登录名或密码不正确，或终端已停用。"))
    session.log_in(terminal)
    services.record_login(terminal=terminal, now=ctx.now)
    return Message("94", {"ok": "1"})


def sc_status(ctx: Context, request: Message) -> Message:
    """Tell the terminal we are on line, what it may do, how long to wait, and the messages we support."""
    if ctx.session.terminal is None:
        return refusal(ctx, request, _("终端尚未登录（请先发送 93 登录消息）。"))
    terminal = ctx.terminal
    institution_id = institution(ctx, request)
    if request.fixed["status_code"] == "2":
        ctx.notes.append("terminal is shutting down")
    fields = [
        ("AO", institution_id),
        ("AM", terminal.library.name),
        ("BX", "".join(translate.yes(code in SUPPORTED) for code in spec.SUPPORTED_ORDER)),
        ("AN", terminal.service_point.code),
    ]
    return Message(
        "98",
        {
            "online_status": "Y",
            "checkin_ok": "Y",
            "checkout_ok": "Y",
            "acs_renewal_policy": "Y",
            "status_update_ok": "Y",
            "offline_ok": translate.yes(terminal.accept_offline),
            "timeout_period": f"{min(ctx.session.timeout_tenths, 999):03d}",
            "retries_allowed": "003",
            "date_time_sync": ctx.date,
            "protocol_version": "2.00",
        },
        fields,
    )
