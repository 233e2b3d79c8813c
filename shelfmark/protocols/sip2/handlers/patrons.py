"""Reader messages: patron status (23), patron information with item lists (63), block (01), end session (35)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.circulation import selectors as circulation
from shelfmark.circulation.models import Hold, Loan
from shelfmark.core.errors import DomainError
from shelfmark.fines import selectors as fines
from shelfmark.fines.models import Charge
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.models import BlockKind, Patron
from shelfmark.patrons.rules import Block
from shelfmark.protocols.sip2 import spec, translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.errors import Unsupported
from shelfmark.protocols.sip2.handlers.base import Context, check_pin, find_patron, institution, refusal

DEFAULT_PAGE = 20  # items listed when the terminal names no range (BP/BQ)
MAX_PAGE = 50  # the most items one response lists, to keep frames short for old kiosks


@dataclass
class Standing:
    """What the kiosk shows about a reader: blocks, loans, holds and fines, read once per message."""

    patron: Patron
    blocks: list[Block]
    loans: list[Loan]
    holds: list[Hold]
    charges: list[Charge]
    today_overdue: list[Loan]

    @property
    def ready_holds(self) -> list[Hold]:
        return [hold for hold in self.holds if hold.status == Hold.Status.READY]

    @property
    def unavailable_holds(self) -> list[Hold]:
        return [hold for hold in self.holds if hold.status != Hold.Status.READY]

    def status_flags(self) -> str:
        return translate.patron_status(
            blocked=bool(self.blocks) or bool(self.today_overdue),
            lost_card=any(block.kind == BlockKind.LOST_CARD for block in self.blocks),
            overdue=bool(self.today_overdue),
            excessive_fines=self.patron.fines_owed > patron_selectors.fines_block_limit(),
        )

    def messages(self) -> list[str]:
        lines = [block.reason for block in self.blocks]
        if self.today_overdue:
            lines.append(_("有 {count} 册图书已逾期。").format(count=len(self.today_overdue)))
        if self.ready_holds:
            lines.append(_("有 {count} 册预约书待取。").format(count=len(self.ready_holds)))
        return lines


def read_standing(ctx: Context, patron: Patron) -> Standing:
    """Read the reader's blocks, loans, holds and outstanding charges (counted first: most lists are empty)."""
    today = timezone.localdate(ctx.now)
    has = circulation.reader_summary(patron_id=patron.pk, today=today)
    loans = list(circulation.active_loans(patron)) if has.loans else []
    return Standing(
        patron=patron,
        blocks=patron_selectors.blocks(patron, now=ctx.now, stored=has.stored_blocks > 0),
        loans=loans,
        holds=list(circulation.active_holds(patron)) if has.holds else [],
        charges=fines.outstanding(patron) if has.charges else [],
        today_overdue=[loan for loan in loans if loan.due_on < today],
    )


def _pin_fields(ctx: Context, request: Message, patron: Patron) -> list[tuple[str, str]]:
    """Check the PIN if one was sent: CQ Y, or CQ N with the reason (wrong, locked, none set) in AF."""
    try:
        verified = check_pin(ctx, request, patron)
    except DomainError as error:
        return [("CQ", "N"), ("AF", error.message)]
    return [] if verified is None else [("CQ", "Y")]


def _fee_fields(patron: Patron) -> list[tuple[str, str]]:
    return [("BH", "CNY"), ("BV", f"{patron.fines_owed:.2f}")]


def _invalid_patron(ctx: Context, request: Message, error: DomainError) -> Message:
    return refusal(ctx, request, error.message)


def patron_status(ctx: Context, request: Message) -> Message:
    """Answer who the reader is, whether the card and PIN are valid, and what they may not do."""
    institution_id = institution(ctx, request)
    try:
        patron = find_patron(request)
    except DomainError as error:
        return _invalid_patron(ctx, request, error)
    return _status_response(ctx, institution_id, patron, _pin_fields(ctx, request, patron))


def _status_response(ctx: Context, institution_id: str, patron: Patron, pin_fields: list[tuple[str, str]]) -> Message:
    standing = read_standing(ctx, patron)
    fields = [
        ("AO", institution_id),
        ("AA", patron.card_number),
        ("AE", patron.name),
        ("BL", "Y"),
        *pin_fields,
        *_fee_fields(patron),
        *[("AF", line) for line in standing.messages()],
    ]
    return Message(
        "24",
        {"patron_status": standing.status_flags(), "language": ctx.language, "transaction_date": ctx.date},
        fields,
    )


def patron_information(ctx: Context, request: Message) -> Message:
    """Answer patron status plus counts of holds, overdue, charged and fine items, and one list, paged."""
    institution_id = institution(ctx, request)
    try:
        patron = find_patron(request)
    except DomainError as error:
        return _invalid_patron(ctx, request, error)
    standing = read_standing(ctx, patron)
    fields = [
        ("AO", institution_id),
        ("AA", patron.card_number),
        ("AE", patron.name),
        ("BZ", translate.count(int(getattr(settings, "SHELFMARK_MAX_HOLDS", 10)))),
        ("BL", "Y"),
        *_pin_fields(ctx, request, patron),
        *_fee_fields(patron),
        ("CC", f"{patron_selectors.fines_block_limit():.2f}"),
        *_item_list(request, standing),
        *[("AF", line) for line in standing.messages()],
    ]
    return Message(
        "64",
        {
            "patron_status": standing.status_flags(),
            "language": ctx.language,
            "transaction_date": ctx.date,
            "hold_items_count": translate.count(len(standing.ready_holds)),
            "overdue_items_count": translate.count(len(standing.today_overdue)),
            "charged_items_count": translate.count(len(standing.loans)),
            "fine_items_count": translate.count(len(standing.charges)),
            "recall_items_count": "0000",
            "unavailable_holds_count": translate.count(len(standing.unavailable_holds)),
        },
        fields,
    )


def _item_list(request: Message, standing: Standing) -> list[tuple[str, str]]:
    """Return the one list the summary asks for (the first Y), from item BP to item BQ (1-based, inclusive)."""
    summary = request.fixed["summary"]
    wanted = next((name for flag, name in zip(summary, spec.SUMMARY_LISTS, strict=False) if flag in "Yy"), None)
    if wanted is None:
        return []
    field_id, values = {
        "hold": ("AS", [_hold_line(hold) for hold in standing.ready_holds]),
        "overdue": ("AT", [loan.item.barcode for loan in standing.today_overdue]),
        "charged": ("AU", [loan.item.barcode for loan in standing.loans]),
        "fine": ("AV", [_charge_line(charge) for charge in standing.charges]),
        "recall": ("BU", []),
        "unavailable_hold": ("CD", [_hold_line(hold) for hold in standing.unavailable_holds]),
    }[wanted]
    start = _position(request.get("BP"), 1)
    end = _position(request.get("BQ"), start + DEFAULT_PAGE - 1)
    end = min(end, start + MAX_PAGE - 1)
    return [(field_id, value) for value in values[start - 1 : end]]


def _position(text: str, default: int) -> int:
    text = text.strip()
    return max(int(text), 1) if text.isdigit() else default


def _hold_line(hold: Hold) -> str:
    if hold.trapped_item is not None:
        return hold.trapped_item.barcode
    return hold.record.title


def _charge_line(charge: Charge) -> str:
    return f"{charge.outstanding:.2f} {charge.get_kind_display()} {charge.note}".strip()


def block_patron(ctx: Context, request: Message) -> Message:
    """Block the card (a kiosk saw tampering or kept a forgotten card) and answer with the patron status."""
    institution(ctx, request)
    try:
        patron = find_patron(request)
    except DomainError as error:
        return _invalid_patron(ctx, request, error)
    retained = request.fixed["card_retained"] == "Y"
    message = request.get("AL").strip() or _("自助设备封卡")
    reason = _("自助设备 {terminal} 封卡：{message}").format(terminal=ctx.terminal.login, message=message)
    if retained:
        reason += _("（读者证已被设备留存）")
    patron_services.add_block(patron=patron, reason=reason, actor=ctx.actor, now=ctx.now)
    ctx.session.verified_patron_id = None
    return _status_response(ctx, ctx.terminal.institution_id, patron, [])


def end_session(ctx: Context, request: Message) -> Message:
    """End the reader's session at the kiosk: the PIN must be given again for the next transaction."""
    institution_id = institution(ctx, request)
    ctx.session.verified_patron_id = None
    return Message(
        "36",
        {"end_session": "Y", "transaction_date": ctx.date},
        [("AO", institution_id), ("AA", request.get("AA"))],
    )


def patron_enable(ctx: Context, request: Message) -> Message:
    """Refuse: SIP2 reserves patron enable for system tests, and blocks are lifted by staff at a desk."""
    raise Unsupported(what=_("恢复读者证（25），请到服务台办理"))
