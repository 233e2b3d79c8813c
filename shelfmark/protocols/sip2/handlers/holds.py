"""Hold (15 → 16): book a title or one copy for pickup (+), or cancel a booking (-)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shelfmark.catalog.models import Record
from shelfmark.circulation import selectors as circulation
from shelfmark.circulation import services
from shelfmark.circulation.errors import HoldNotFound
from shelfmark.circulation.models import Hold
from shelfmark.libraries.models import Library
from shelfmark.protocols.sip2 import selectors, translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.errors import BadField, Unsupported
from shelfmark.protocols.sip2.handlers.base import Context, find_item, find_patron, identifier, institution, require_pin

COPY_LEVEL = "3"  # hold type: 1 other, 2 any copy of the title, 3 this copy, 4 any copy at one branch


def hold(ctx: Context, request: Message) -> Message:
    """Place (+) or cancel (-) a reader's booking of the title of AB or AJ, or of the copy AB (hold type 3)."""
    institution_id = institution(ctx, request)
    patron = find_patron(request)
    require_pin(ctx, request, patron)
    mode = request.fixed["hold_mode"]
    item = find_item(request) if request.get("AB").strip() else None
    record = item.record if item is not None else _record(request)
    if mode == "+":
        pickup = _pickup(ctx, request)
        copy = item if item is not None and request.get("BY").strip() == COPY_LEVEL else None
        placed = services.place_hold(
            patron=patron, record=record, item=copy, pickup_library=pickup, actor=ctx.actor, now=ctx.now
        )
        return _response(ctx, institution_id, patron.card_number, placed, item, _("预约成功。"))
    if mode == "-":
        found = circulation.active_holds(patron).filter(record=record).first()
        if found is None:
            raise HoldNotFound(field="AJ")
        cancelled = services.cancel_hold(hold=found, actor=ctx.actor, reason=_("读者在自助设备上取消"), now=ctx.now)
        return _response(ctx, institution_id, patron.card_number, cancelled, item, _("预约已取消。"))
    raise Unsupported(what=_("修改预约（hold mode {mode}）").format(mode=mode))


def _record(request: Message) -> Record:
    """Find the title named in AJ by control number or ISBN (a kiosk may send either)."""
    title = identifier(request, "AJ", _("题名标识（控制号或 ISBN）"))
    record = selectors.record_by_identifier(title)
    if record is None:
        raise BadField(
            field="AJ", field_id="AJ", problem=_("找不到控制号或 ISBN 为 {value} 的书目").format(value=title)
        )
    return record


def _pickup(ctx: Context, request: Message) -> Library:
    """Return the pickup library named in BS (by code), else the terminal's own library."""
    code = request.get("BS").strip()
    if not code:
        return ctx.terminal.library
    library = selectors.library_by_code(code)
    if library is None:
        raise BadField(field="BS", field_id="BS", problem=_("没有代码为 {code} 的取书馆").format(code=code))
    return library


def _response(ctx: Context, institution_id: str, card: str, booking: Hold, item: object, note: str) -> Message:
    fields = [
        ("BR", str(circulation.queue_position(booking))) if booking.status == Hold.Status.WAITING else None,
        ("BS", booking.pickup_library.code),
        ("AO", institution_id),
        ("AA", card),
        ("AB", getattr(item, "barcode", "")),
        ("AJ", booking.record.title),
        ("AF", note),
    ]
    if booking.expires_on is not None:
        fields.insert(0, ("BW", translate.sip_date(booking.expires_on)))
    return Message(
        "16",
        {
            "ok": "1",
            "available": translate.yes(booking.status == Hold.Status.READY),
            "transaction_date": ctx.date,
        },
        [entry for entry in fields if entry is not None],
    )
