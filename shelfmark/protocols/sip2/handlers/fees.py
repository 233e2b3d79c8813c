"""Fee paid (37 → 38): a kiosk took money for the reader's fines; settle the oldest charges first."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from shelfmark.fines import selectors as fines
from shelfmark.fines import services as fine_services
from shelfmark.protocols.sip2 import translate
from shelfmark.protocols.sip2.codec import Message
from shelfmark.protocols.sip2.errors import BadField
from shelfmark.protocols.sip2.handlers.base import Context, find_patron, identifier, institution, require_pin

CURRENCY = "CNY"


def fee_paid(ctx: Context, request: Message) -> Message:
    """Record a payment of BV yuan; a payment already recorded under the same transaction id (BK) is not taken twice."""
    institution_id = institution(ctx, request)
    patron = find_patron(request)
    require_pin(ctx, request, patron)
    currency = request.fixed["currency_type"].strip().upper()
    if currency and currency != CURRENCY:
        raise BadField(
            field="currency_type",
            field_id="BH",
            problem=_("只收人民币（CNY），收到 {currency}").format(currency=currency),
        )
    amount = _amount(identifier(request, "BV", _("金额")))
    transaction_id = request.get("BK").strip()[:60]
    note = f"SIP2 {ctx.terminal.login} BK={transaction_id}" if transaction_id else f"SIP2 {ctx.terminal.login}"
    already = transaction_id and any(payment.note == note for payment in fines.payments(patron))
    if not already:
        fine_services.pay(
            patron=patron,
            amount=amount,
            method=translate.PAYMENT_METHOD.get(request.fixed["payment_type"], "other"),
            note=note,
            actor=ctx.actor,
            now=ctx.now,
        )
    patron.refresh_from_db(fields=["fines_owed"])
    return Message(
        "38",
        {"payment_accepted": "Y", "transaction_date": ctx.date},
        [
            ("AO", institution_id),
            ("AA", patron.card_number),
            ("BK", transaction_id),
            (
                "AF",
                _("已缴 {amount} 元，尚欠 {owed} 元。").format(amount=f"{amount:.2f}", owed=f"{patron.fines_owed:.2f}"),
            ),
        ],
    )


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise BadField(field="BV", field_id="BV", problem=_("金额 {value} 不是数字").format(value=text)) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.01")):
        raise BadField(field="BV", field_id="BV", problem=_("金额须为正数，最多两位小数"))
    return value.quantize(Decimal("0.01"))
