"""Admin views of book lists: read-only, because lists change only through the services (permissions, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.booklists.models import BookList, BookListEntry


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntryInline(_ReadOnly, admin.TabularInline):
    model = BookListEntry
    fields = ("position", "record", "note", "added_by", "added_at")
    raw_id_fields = ("record",)
    extra = 0


@admin.register(BookList)
class BookListAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("title", "kind", "library", "age_band", "is_published", "published_at", "created_by")
    list_filter = ("kind", "is_published", "age_band")
    search_fields = ("title",)
    list_select_related = ("library", "created_by")
    inlines = [EntryInline]
