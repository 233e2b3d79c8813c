"""What the reader pages say: typed refusals, blocks and credit terms in plain words, by their stable codes.

The services' own messages are written for staff and the API; a reader on a phone gets these, keyed by the
error's `code` and built from its parameters, so the wording can change without touching the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shelfmark.core.errors import DomainError
from shelfmark.patrons import rules
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron

_BY_CODE: dict[str, Any] = {
    "patron_not_found": lambda p: _("没有找到读者证号 {value}，请核对后再试。").format(**p),
    "card_retired": lambda p: _("读者证 {card} 已停用（已换发新证），请用新证号登录。").format(**p),
    "card_reported_lost": lambda p: _("读者证 {card} 已挂失，请到任一服务台补办新证。").format(**p),
    "pin_not_set": lambda p: _("这张读者证还没有设置密码，请到任一服务台设置。"),
    "invalid_pin": lambda p: _("密码是 4 到 8 位数字。"),
    "pin_incorrect": lambda p: _("密码不正确。再错 {tries_left} 次，读者证将被锁定 {minutes} 分钟。").format(**p),
    "pin_locked": lambda p: _("密码错误次数过多，读者证已锁定，请于 {until} 之后再试，或到服务台求助。").format(**p),
    "renewal_refused_holds_waiting": lambda p: _("有其他读者在排队预约这本书，不能续借，请按期归还。"),
    "renewal_limit_reached": lambda p: _("已续借 {count} 次，达到续借次数上限（{limit} 次）。").format(**p),
    "loan_limit_reached": lambda p: _("您已借 {count} 册，达到可借册数上限（{limit} 册）。").format(**p),
    "loan_not_found": lambda p: _("这本书已经不在您的借阅中。"),
    "hold_already_placed": lambda p: _("您已经预约过这本书了。"),
    "hold_limit_reached": lambda p: _("您已有 {count} 个预约，达到预约上限（{limit} 个）。").format(**p),
    "hold_not_found": lambda p: _("没有这个预约。"),
    "hold_not_cancellable": lambda p: _("这个预约已是“{status}”状态，不能再取消。").format(**p),
}
_HOLD_NOT_ALLOWED_BY_FIELD: dict[str | None, Any] = {
    "home_delivery": lambda: _("送书上门服务只面向已登记该服务的读者（如老年人、残障读者），请选择取书馆。"),
    "pickup_library": lambda: _("请选择取书馆。"),
    "item": lambda: _("所选复本不属于这条书目。"),
}


def refusal_text(error: DomainError, *, patron: Patron | None = None, now: datetime | None = None) -> str:
    """Say why the request was refused, in the reader's language; unknown codes fall back to the error's message."""
    if error.code in ("patron_blocked", "ill_reader_blocked") and patron is not None:
        reasons = "；".join(block_text(block, patron) for block in patron_selectors.blocks(patron, now=now))
        return _("您的借阅权限目前暂停：{reasons}").format(reasons=reasons or error.message)
    if error.code == "hold_not_allowed":
        say = _HOLD_NOT_ALLOWED_BY_FIELD.get(error.field)
        return say() if say else _("这本书目前不能预约：没有可外借的复本，或流通规则不允许预约。")
    wording = _BY_CODE.get(error.code)
    if wording is None:
        return error.message
    try:
        return str(wording(error.params))
    except (KeyError, IndexError):  # a service changed its parameters: its own message is still right
        return error.message


def block_text(block: rules.Block, patron: Patron) -> str:
    """Say one block on the reader in plain words."""
    if block.kind == rules.EXPIRED:
        return _("读者证已于 {date} 到期，请到服务台续期").format(date=patron.expires_on.isoformat())
    if block.kind == rules.FINES_OVER_LIMIT:
        limit = patron_selectors.fines_block_limit()
        return _("欠款 {owed} 元，超过 {limit} 元的上限，缴清后即可借书").format(owed=patron.fines_owed, limit=limit)
    if block.kind == rules.LOST_CARD:
        return _("读者证已挂失")
    if block.kind == rules.OVERDUE:
        return _("有逾期未还的图书")
    return block.reason  # a manual block: the reason staff wrote


def overdue_text(count: int) -> str:
    """Say that overdue loans stop new loans (check-out refuses them) until they are returned."""
    return ngettext(
        "有 {count} 本图书已逾期，归还后才能借新书", "有 {count} 本图书已逾期，归还后才能借新书", count
    ).format(count=count)


def standing_terms(patron: Patron, standing: rules.Standing) -> list[tuple[str, int]]:
    """Explain each term of the credit score (what it counts, how many points), in plain words."""
    says = {
        "base": lambda: _("每位读者的起始分"),
        "on_time_returns": lambda: _("按时归还 {count} 次").format(count=patron.on_time_returns),
        "late_returns": lambda: _("逾期归还 {count} 次").format(count=patron.late_returns),
        "lost_items": lambda: _("丢失图书 {count} 册").format(count=patron.lost_items),
        "fines_owed": lambda: _("未缴欠款 {amount} 元").format(amount=patron.fines_owed),
    }
    return [(says[term.code]() if term.code in says else term.message, term.points) for term in standing.reasons]


def standing_summary(standing: rules.Standing) -> str:
    """Say what the tier means for the reader: deposit-free or not, and the loan limit."""
    percent = int(standing.loan_limit_factor * 100)
    if not standing.deposit_free:
        return _("目前需要交押金才能借书，可借册数为规定的 {percent}%。按时归还、缴清欠款后信用分会回升。").format(
            percent=percent
        )
    if percent == 100:
        return _("可以免押金借书，可借册数按规定。")
    return _("可以免押金借书，可借册数为规定的 {percent}%。").format(percent=percent)


def about(title: str, text: str) -> str:
    """Put a title in front of what happened to it, for messages about one book among several."""
    return _("《{title}》{text}").format(title=title, text=text)
