"""Typed refusals of the alliance services, each with a stable code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, NotFound


class LocalDocumentNotFound(NotFound):
    code = "local_document_not_found"
    default_message: Any = _("没有编号为 {document_id} 的地方文献。")


class LocalDocumentAlreadyRegistered(DomainError):
    code = "local_document_already_registered"
    default_message: Any = _("{library}已经登记过《{title}》。")
    status = 409


class LocalDocumentWithdrawn(DomainError):
    code = "local_document_withdrawn"
    default_message: Any = _("这条地方文献已经撤销，不能再修改。")
    status = 409
