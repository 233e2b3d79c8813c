"""Typed refusals of the book-list services, each with a stable code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import DomainError, NotFound


class BookListNotFound(NotFound):
    code = "book_list_not_found"
    default_message: Any = _("没有编号为 {list_id} 的书单。")


class EntryNotFound(NotFound):
    code = "book_list_entry_not_found"
    default_message: Any = _("书单中没有编号为 {entry_id} 的条目。")


class RecordAlreadyListed(DomainError):
    code = "record_already_listed"
    default_message: Any = _("《{title}》已经在这个书单里了。")
    status = 409


class EmptyListNotPublished(DomainError):
    code = "empty_list_not_published"
    default_message: Any = _("书单“{title}”还没有书，不能发布。")
    status = 409
