"""Typed refusals of interlibrary loan, each with a stable code and a message naming what is wrong."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, InvalidInput


class TransitionNotAllowed(DomainError):
    code = "ill_transition_not_allowed"
    default_message: Any = _("馆际互借请求 {request} 当前状态为“{current}”，不能改为“{target}”。")
    status = 409


class NotOurSide(DomainError):
    code = "ill_not_our_side"
    default_message: Any = _("馆际互借请求 {request} 的这一步应由{side}办理。")
    status = 409


class NoCopyToLend(DomainError):
    code = "ill_no_copy_to_lend"
    default_message: Any = _("{library}没有可借出的《{title}》。")
    status = 409


class CopyStillTravelling(DomainError):
    code = "ill_copy_travelling"
    default_message: Any = _("单册 {barcode} 尚未回到借入馆，不能寄还。")
    status = 409


class ReaderBlocked(DomainError):
    code = "ill_reader_blocked"
    default_message: Any = _("读者暂不能申请馆际互借：{reasons}")
    status = 409


class AlreadyRequested(DomainError):
    code = "ill_already_requested"
    default_message: Any = _("已有一条未完成的《{title}》馆际互借申请（申请号 {request}），不必重复申请。")
    status = 409


class InvalidRequest(InvalidInput):
    code = "ill_invalid_request"
