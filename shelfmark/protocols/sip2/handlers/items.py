"""Item messages: item information (17) and item status update (19, a smart shelf reporting where a copy sits)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shelfmark.holdings import services as item_services
from shelfmark.protocols.sip2 import selectors, translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.errors import BadField
from shelfmark.protocols.sip2.handlers.base import Context, find_item, institution

MAX_LOCATION = 100


def item_information(ctx: Context, request: Message) -> Message:
    """Answer what the copy is, where it belongs and is, its status, due date and holds waiting for it."""
    institution(ctx, request)
    item = find_item(request)
    details = selectors.item_circulation(item)
    fields: list[tuple[str, str]] = [
        ("CF", translate.count(details.queue_length)),
        ("AB", item.barcode),
        ("AJ", item.record.title),
        ("BG", item.home_library.code),
        ("AQ", item.home_library.code),
        ("AP", item.current_library.code),
        ("CK", translate.media_type(item.item_type)),
        ("CS", item.call_number),
    ]
    if details.due_on is not None:
        fields.insert(1, ("AH", translate.sip_date(details.due_on)))
    if details.hold_expires_on is not None:
        fields.insert(1, ("CM", translate.sip_date(details.hold_expires_on)))
    if details.destination:
        fields.append(("CT", details.destination))
    fields.append(("AF", item.get_status_display()))
    return Message(
        "18",
        {
            "circulation_status": translate.CIRCULATION_STATUS.get(item.status, "01"),
            "security_marker": "00",
            "fee_type": "01",
            "transaction_date": ctx.date,
        },
        fields,
    )


def item_status_update(ctx: Context, request: Message) -> Message:
    """Record the shelving location a smart shelf reports for a copy (item properties, CH)."""
    institution(ctx, request)
    item = find_item(request)
    location = request.get("CH").strip()
    if not location:
        raise BadField(field="CH", field_id="CH", problem=_("缺少单册位置（item properties）"))
    if len(location) > MAX_LOCATION or not location.isprintable():
        raise BadField(field="CH", field_id="CH", problem=_("单册位置过长或含有无效字符"))
    item_services.update_item(item=item, actor=ctx.actor, shelving_location=location, now=ctx.now)
    return Message(
        "20",
        {"item_properties_ok": "1", "transaction_date": ctx.date},
        [("AB", item.barcode), ("AJ", item.record.title), ("CH", location)],
    )
