"""Typed refusals of SIP2 terminal management and of the protocol adapter itself."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, InvalidInput, NotFound


class TerminalNotFound(NotFound):
    code = "sip2_terminal_not_found"
    default_message: Any = _("没有登录名为 {login} 的 SIP2 终端。")


class TerminalLoginTaken(DomainError):
    code = "sip2_terminal_login_taken"
    default_message: Any = _("SIP2 终端登录名 {login} 已被使用。")
    status = 409


class InvalidTerminalLogin(InvalidInput):
    code = "sip2_invalid_terminal_login"
    default_message: Any = _("终端登录名只能包含字母、数字、点、下划线和连字符，最长 64 位；收到 {login!r}。")


class ServicePointElsewhere(InvalidInput):
    code = "sip2_service_point_elsewhere"
    default_message: Any = _("服务点 {point} 属于 {other}，不属于 {library}。")


class UnknownEncoding(InvalidInput):
    code = "sip2_unknown_encoding"
    default_message: Any = _("不支持的字符编码 {encoding}；可选 {choices}。")


class InstitutionMismatch(DomainError):
    code = "sip2_institution_mismatch"
    default_message: Any = _("机构代码 {given} 与本终端的机构代码 {expected} 不符。")
    status = 403


class NotLoggedIn(DomainError):
    code = "sip2_not_logged_in"
    default_message: Any = _("终端尚未登录（请先发送 93 登录消息）。")
    status = 401


class PinNotVerified(DomainError):
    code = "sip2_pin_not_verified"
    default_message: Any = _("请先输入读者密码。")
    status = 401


class BadField(InvalidInput):
    code = "sip2_bad_field"
    default_message: Any = _("字段 {field_id} 无效：{problem}")


class Unsupported(DomainError):
    code = "sip2_unsupported"
    default_message: Any = _("本系统不支持此操作：{what}")
    status = 400
