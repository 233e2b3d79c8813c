"""Lending messages: check out (11), check in (09), renew (29) and renew all (65), through the desk's services.

A kiosk that times out sends the same check-out again, perhaps on a new connection. Each lending message is
sent with an idempotency key made of the terminal, the kiosk's transaction date and sequence number and the
card and item, so the retry gets the first answer and never a second loan. Two different transactions can
share a key only within one second of the kiosk's clock (check out, check in, check out again): the replay
then names a loan already returned, and the request is run again under a key derived from that loan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from shelfmark.circulation import selectors as circulation
from shelfmark.circulation import services
from shelfmark.circulation.errors import CirculationRefusal, LoanNotFound
from shelfmark.circulation.models import Loan
from shelfmark.circulation.services import CheckInResult
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.protocols.sip2 import translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.handlers.base import (
    Context,
    find_item,
    find_patron,
    institution,
    refusal,
    require_pin,
)

MAX_KEY_DERIVATIONS = 5


def _key(ctx: Context, request: Message, operation: str, *parts: str) -> str:
    stamp = request.fixed.get("transaction_date", "").replace(" ", "_")
    return ":".join(["sip2", str(ctx.terminal.pk), operation, stamp, request.sequence or "-", *parts])[:100]


def _once(key: str, run: Callable[[str], Any], fresh: Callable[[Any], bool], derive: Callable[[Any], str]) -> Any:
    """Run with `key`; when the stored answer is stale (another transaction in the same second), derive a key."""
    for _attempt in range(MAX_KEY_DERIVATIONS):
        outcome = run(key)
        if fresh(outcome):
            return outcome
        key = f"{key}:{derive(outcome)}"[-100:]
    return run(key)


def _magnetic(item: Item) -> str:
    return "U" if translate.media_type(item.item_type) == "006" else "N"


def _loan_response(
    code: str, ctx: Context, institution_id: str, card: str, item: Item, loan: Loan, notes: list[str]
) -> Message:
    """Answer a check-out or renewal; `item` is the copy as scanned (with its title), `loan` the loan now."""
    return Message(
        code,
        {
            "ok": "1",
            "renewal_ok": translate.yes(loan.renewals < loan.max_renewals),
            "magnetic_media": _magnetic(item),
            "desensitize": "Y",
            "transaction_date": ctx.date,
        },
        [
            ("AO", institution_id),
            ("AA", card),
            ("AB", item.barcode),
            ("AJ", item.record.title),
            ("AH", translate.sip_date(loan.due_on)),
            ("CK", translate.media_type(item.item_type)),
            *[("AF", note) for note in notes],
        ],
    )


def checkout(ctx: Context, request: Message) -> Message:
    """Lend the item in AB to the reader in AA under the desk's rules; an offline (no block) loan that the rules
    refuse is still recorded when the terminal accepts offline transactions, with the refusal as override reason."""
    institution_id = institution(ctx, request)
    patron = find_patron(request)
    require_pin(ctx, request, patron)
    item = find_item(request)
    terminal = ctx.terminal
    offline = request.fixed["no_block"] == "Y"
    key = _key(ctx, request, "out", patron.card_number, item.barcode)

    def lend(override_reason: str) -> Loan:
        def run(with_key: str) -> Loan:
            return services.check_out(
                item=item,
                patron=patron,
                library=terminal.library,
                service_point=terminal.service_point,
                actor=ctx.actor,
                override_reason=override_reason,
                idempotency_key=with_key,
                now=ctx.now,
            )

        return _once(key, run, lambda loan: loan.status == Loan.Status.ACTIVE, lambda loan: f"L{loan.pk}")

    notes: list[str] = []
    try:
        loan = lend("")
    except CirculationRefusal as refused:
        if not (offline and terminal.accept_offline and refused.overridable):
            raise
        reason = _("SIP2 脱机借出（终端 {terminal}，no block）：{refusal}").format(
            terminal=terminal.login, refusal=refused.message
        )
        loan = lend(reason)
        notes.append(_("脱机借出已记录，但不符合借阅规则：{refusal}").format(refusal=refused.message))
    return _loan_response("12", ctx, institution_id, patron.card_number, item, loan, notes)


def checkin(ctx: Context, request: Message) -> Message:
    """Take the item in AB back here; tell a sorter the bin (CL), the alert (CV) and the destination (CT)."""
    institution_id = institution(ctx, request)
    item = find_item(request)
    terminal = ctx.terminal
    when = ctx.now
    if request.fixed["no_block"] == "Y":
        # An offline return counts from when the reader returned it, not from when the kiosk came back on line.
        returned = translate.parse_sip_datetime(request.fixed["return_date"])
        if returned is not None and returned < ctx.now:
            when = returned

    def run(with_key: str) -> CheckInResult:
        return services.check_in(
            item=item,
            library=terminal.library,
            service_point=terminal.service_point,
            actor=ctx.actor,
            idempotency_key=with_key,
            now=when,
        )

    # A check-in always leaves the copy off loan; a stored answer that leaves it on loan was for an earlier
    # return in the same second, before the copy went out again.
    result = _once(
        _key(ctx, request, "in", item.barcode),
        run,
        lambda done: done.item.status != ItemStatus.ON_LOAN,
        lambda done: f"T{int(done.item.status_changed_at.timestamp() * 1000)}",
    )
    return _checkin_response(ctx, institution_id, item, result)


def _checkin_response(ctx: Context, institution_id: str, item: Item, result: CheckInResult) -> Message:
    destination = result.destination.code if result.destination is not None else ""
    alert = result.alert
    fields: list[tuple[str, str]] = [
        ("AO", institution_id),
        ("AB", item.barcode),
        ("AQ", item.home_library.code),
        ("AJ", item.record.title),
        ("CK", translate.media_type(item.item_type)),
        ("CL", translate.sort_bin(ctx.terminal.sort_bins, alert=alert, destination=destination)),
    ]
    if alert:
        fields.append(("CV", translate.ALERT_TYPE[alert]))
    if destination:
        fields.append(("CT", destination))
    if result.hold is not None:
        fields += [("CY", result.hold.patron.card_number), ("DA", _masked_name(result.hold.patron.name))]
    if result.loan is None:
        fields.append(("AF", _("该单册不在借，已按归还处理。")))
    if result.fine > 0:
        fields.append(("AF", _("逾期，产生滞纳金 {amount} 元。").format(amount=f"{result.fine:.2f}")))
    if alert in ("hold", "hold_transit"):
        fields.append(("AF", _("此书已被预约，请放入预约架或转运。")))
    elif alert == "transit":
        fields.append(
            ("AF", _("请转运至 {library}。").format(library=result.destination.name if result.destination else ""))
        )
    return Message(
        "10",
        {
            "ok": "1",
            "resensitize": translate.yes(not alert),
            "magnetic_media": _magnetic(item),
            "alert": translate.yes(bool(alert)),
            "transaction_date": ctx.date,
        },
        fields,
    )


def _masked_name(name: str) -> str:
    """Show a reader's name on a hold slip as its first character and asterisks (张**)."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def renew(ctx: Context, request: Message) -> Message:
    """Renew the reader's loan of the item in AB under the loan's own terms."""
    institution_id = institution(ctx, request)
    patron = find_patron(request)
    require_pin(ctx, request, patron)
    if not request.get("AB").strip():
        return refusal(ctx, request, _("请扫描要续借的单册条码。"))
    item = find_item(request)
    loan = circulation.active_loans(patron).filter(item=item).first()
    if loan is None:
        raise LoanNotFound(field="AB", barcode=item.barcode)
    key = _key(ctx, request, "renew", patron.card_number, item.barcode)
    renewed = services.renew(loan=loan, actor=ctx.actor, library=ctx.terminal.library, idempotency_key=key, now=ctx.now)
    notes = [_("续借成功，应还日期 {due}。").format(due=renewed.due_on.isoformat())]
    return _loan_response("30", ctx, institution_id, patron.card_number, item, renewed, notes)


def renew_all(ctx: Context, request: Message) -> Message:
    """Renew every loan of the reader that the rules allow; list what was and was not renewed."""
    institution_id = institution(ctx, request)
    patron = find_patron(request)
    require_pin(ctx, request, patron)
    renewed: list[str] = []
    refused: list[tuple[str, str]] = []
    for loan in circulation.active_loans(patron):
        key = _key(ctx, request, "renew-all", patron.card_number, loan.item.barcode)
        try:
            services.renew(loan=loan, actor=ctx.actor, library=ctx.terminal.library, idempotency_key=key, now=ctx.now)
        except CirculationRefusal as error:
            refused.append((loan.item.barcode, error.message))
        else:
            renewed.append(loan.item.barcode)
    fields = [
        ("AO", institution_id),
        *[("BM", barcode) for barcode in renewed],
        *[("BN", barcode) for barcode, _reason in refused],
        *[("AF", f"{barcode}: {reason}") for barcode, reason in refused],
    ]
    return Message(
        "66",
        {
            "ok": "1",
            "renewed_count": translate.count(len(renewed)),
            "unrenewed_count": translate.count(len(refused)),
            "transaction_date": ctx.date,
        },
        fields,
    )
