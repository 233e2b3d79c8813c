"""Typed refusals of the holdings app, each with a stable code the API, desk and kiosk can rely on."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, InvalidInput, NotFound


class ItemNotFound(NotFound):
    code = "item_not_found"
    default_message: Any = _("找不到单册：{scanned}（条码、二维码或二维码网址都未匹配）。")


class InvalidBarcode(InvalidInput):
    code = "invalid_barcode"
    default_message: Any = _("条码 {barcode} 无效：只能包含字母、数字和连字符，最长 32 位。")


class BarcodeTaken(DomainError):
    code = "barcode_taken"
    default_message: Any = _("条码 {barcode} 已被其他单册使用。")
    status = 409


class StatusChangeNotAllowed(DomainError):
    code = "status_change_not_allowed"
    default_message: Any = _("单册 {barcode} 不能从“{current}”改为“{target}”：{why}")
    status = 409


class ItemWithdrawn(DomainError):
    code = "item_withdrawn"
    default_message: Any = _("单册 {barcode} 已剔除，不能再修改。")
    status = 409
