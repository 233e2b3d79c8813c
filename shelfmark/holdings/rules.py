"""Which status changes staff may make by hand, and which belong to circulation alone (pure, no ORM)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shelfmark.holdings.models import ItemStatus

# A loan, a transit or a hold stands behind these: only circulation's services move an item in or out of them.
CIRCULATION_OWNED = frozenset({ItemStatus.ON_LOAN, ItemStatus.IN_TRANSIT, ItemStatus.ON_HOLD_SHELF})
# What staff set by hand (withdrawn has its own service, which asks for a reason).
STAFF_SETTABLE = frozenset(
    {
        ItemStatus.AVAILABLE,
        ItemStatus.IN_PROCESSING,
        ItemStatus.IN_RESTORATION,
        ItemStatus.LOST,
        ItemStatus.MISSING,
        ItemStatus.DAMAGED,
    }
)


def staff_change_refusal(current: str, target: str) -> str | None:
    """Return why staff may not move an item from `current` to `target` by hand, or None when they may."""
    if current == ItemStatus.WITHDRAWN:
        return _("单册已剔除")
    if current in CIRCULATION_OWNED:
        return _("单册正在流通中，请在流通台办理")
    if target == ItemStatus.WITHDRAWN:
        return _("剔除须通过剔除操作并说明原因")
    if target not in STAFF_SETTABLE:
        return _("该状态只能由流通操作设置")
    return None


def withdraw_refusal(current: str) -> str | None:
    """Return why an item in `current` status may not be withdrawn, or None when it may."""
    if current == ItemStatus.WITHDRAWN:
        return _("单册已剔除")
    if current in CIRCULATION_OWNED:
        return _("单册正在流通中，请先还回或取消预约")
    return None
