"""What every handler shares: the context of one message, checked identifiers, PINs, and the refusal answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from shelfmark.core.errors import DomainError
from shelfmark.holdings import selectors as item_selectors
from shelfmark.holdings.models import Item
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.models import Patron
from shelfmark.protocols.sip2 import translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.errors import BadField, InstitutionMismatch, NotLoggedIn, PinNotVerified
from shelfmark.protocols.sip2.models import Terminal

if TYPE_CHECKING:
    from shelfmark.protocols.sip2.session import Session

MAX_IDENTIFIER = 64


@dataclass
class Context:
    """One message being answered: the session it arrived on, the time, and the answer's language code."""

    session: Session
    now: datetime
    language: str = "019"
    notes: list[str] = field(default_factory=list)

    @property
    def terminal(self) -> Terminal:
        if self.session.terminal is None:
            raise NotLoggedIn()
        return self.session.terminal

    @property
    def date(self) -> str:
        return translate.sip_datetime(self.now)

    @property
    def actor(self) -> Any:
        return self.terminal.user


def institution(ctx: Context, request: Message) -> str:
    """Return the terminal's institution id, refusing a request that names another institution in AO."""
    given = request.get("AO").strip()
    expected = ctx.terminal.institution_id
    if given and given.casefold() != expected.casefold():
        raise InstitutionMismatch(field="AO", given=given, expected=expected)
    return expected


def identifier(request: Message, field_id: str, what: str) -> str:
    """Return a scanned identifier (card or barcode), refusing one that is empty, too long or has odd characters."""
    value = request.get(field_id).strip()
    if not value:
        raise BadField(field=field_id, field_id=field_id, problem=_("缺少{what}").format(what=what))
    if len(value) > MAX_IDENTIFIER:
        raise BadField(field=field_id, field_id=field_id, problem=_("{what}过长").format(what=what))
    if not value.isprintable() or not value.isascii():
        raise BadField(
            field=field_id, field_id=field_id, problem=_("{what} {value!r} 含有无效字符").format(what=what, value=value)
        )
    return value


def find_patron(request: Message) -> Patron:
    """Return the reader whose card is in AA (PatronNotFound or CardRetired otherwise)."""
    return patron_selectors.find_patron_by_card(identifier(request, "AA", _("读者证号")))


def find_item(request: Message) -> Item:
    """Return the item whose barcode or QR code is in AB (ItemNotFound otherwise)."""
    return item_selectors.find_item_by_scan(identifier(request, "AB", _("单册条码")))


def check_pin(ctx: Context, request: Message, patron: Patron) -> bool | None:
    """Verify the PIN in AD when given: True, else raise PinIncorrect/PinLocked/PinNotSet. None when absent."""
    pin = request.get("AD")
    if not request.has("AD") or not pin:
        return None
    if ctx.session.pin_verified(patron.pk, pin):
        return True  # the same PIN this session already verified for this reader: no second check
    try:
        patron_services.verify_pin(patron=patron, pin=pin, now=ctx.now)
    except DomainError:
        ctx.session.verified_patron_id = None  # a wrong PIN undoes an earlier right one
        raise
    ctx.session.remember_pin(patron.pk, pin)
    return True


def require_pin(ctx: Context, request: Message, patron: Patron) -> None:
    """Refuse a transaction for a reader whose PIN this session has not seen, when the terminal asks for PINs."""
    if check_pin(ctx, request, patron):
        return
    if ctx.terminal.pin_required and ctx.session.verified_patron_id != patron.pk:
        raise PinNotVerified(field="AD")


def refusal(ctx: Context, request: Message, reason: str) -> Message:
    """Answer a request that could not be carried out: its own response, negative, with the reason in AF."""
    code = request.command
    institution_id = ctx.session.terminal.institution_id if ctx.session.terminal else request.get("AO")
    common = [("AO", institution_id)]
    date = ctx.date
    answers: dict[str, tuple[str, dict[str, str], list[tuple[str, str]]]] = {
        "93": ("94", {"ok": "0"}, []),
        "99": ("98", _acs_offline(date), [*common, ("BX", "N" * 16)]),
        "23": ("24", _patron_fixed(ctx), [*common, ("AA", request.get("AA")), ("AE", ""), ("BL", "N")]),
        "01": ("24", _patron_fixed(ctx), [*common, ("AA", request.get("AA")), ("AE", ""), ("BL", "N")]),
        "25": ("26", _patron_fixed(ctx), [*common, ("AA", request.get("AA")), ("AE", ""), ("BL", "N")]),
        "63": (
            "64",
            {**_patron_fixed(ctx), **dict.fromkeys(_COUNTS, "0000")},
            [*common, ("AA", request.get("AA")), ("AE", ""), ("BL", "N")],
        ),
        "11": ("12", _loan_fixed(date), [*common, *_echo(request, "AA", "AB"), ("AJ", ""), ("AH", "")]),
        "29": ("30", _loan_fixed(date), [*common, *_echo(request, "AA", "AB"), ("AJ", ""), ("AH", "")]),
        "09": (
            "10",
            {"ok": "0", "resensitize": "N", "magnetic_media": "U", "alert": "Y", "transaction_date": date},
            [
                *common,
                *_echo(request, "AB"),
                ("AQ", ""),
                ("CL", translate.sort_bin(_bins(ctx), alert="", failed=True)),
            ],
        ),
        "65": ("66", {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", "transaction_date": date}, common),
        "17": (
            "18",
            {"circulation_status": "01", "security_marker": "00", "fee_type": "01", "transaction_date": date},
            [*_echo(request, "AB"), ("AJ", "")],
        ),
        "19": ("20", {"item_properties_ok": "0", "transaction_date": date}, [*_echo(request, "AB")]),
        "15": ("16", {"ok": "0", "available": "N", "transaction_date": date}, [*common, *_echo(request, "AA")]),
        "37": ("38", {"payment_accepted": "N", "transaction_date": date}, [*common, *_echo(request, "AA", "BK")]),
        "35": ("36", {"end_session": "N", "transaction_date": date}, [*common, *_echo(request, "AA")]),
    }
    answer, fixed, fields = answers[code]
    return Message(answer, fixed, [*fields, ("AF", reason)])


_COUNTS = (
    "hold_items_count",
    "overdue_items_count",
    "charged_items_count",
    "fine_items_count",
    "recall_items_count",
    "unavailable_holds_count",
)


def _bins(ctx: Context) -> dict[str, str]:
    return ctx.session.terminal.sort_bins if ctx.session.terminal else {}


def _echo(request: Message, *field_ids: str) -> list[tuple[str, str]]:
    return [(fid, request.get(fid)) for fid in field_ids]


def _patron_fixed(ctx: Context) -> dict[str, str]:
    return {"patron_status": translate.DENIED, "language": ctx.language, "transaction_date": ctx.date}


def _loan_fixed(date: str) -> dict[str, str]:
    return {"ok": "0", "renewal_ok": "N", "magnetic_media": "U", "desensitize": "N", "transaction_date": date}


def _acs_offline(date: str) -> dict[str, str]:
    return {
        "online_status": "N",
        "checkin_ok": "N",
        "checkout_ok": "N",
        "acs_renewal_policy": "N",
        "status_update_ok": "N",
        "offline_ok": "N",
        "timeout_period": "000",
        "retries_allowed": "000",
        "date_time_sync": date,
        "protocol_version": "2.00",
    }
