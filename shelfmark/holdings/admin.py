"""Admin views of items: read-only, because items change only through services (history, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.holdings.models import Item, ItemStatusChange


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(_ReadOnly, admin.TabularInline):
    model = ItemStatusChange
    fields = ("changed_at", "from_status", "to_status", "library", "actor", "reason")
    extra = 0


@admin.register(Item)
class ItemAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("barcode", "qr_code", "call_number", "record", "home_library", "current_library", "status")
    list_filter = ("status", "item_type")
    search_fields = ("=barcode", "=qr_code", "call_number")
    list_select_related = ("record", "home_library", "current_library")
    raw_id_fields = ("record",)
    inlines = [StatusChangeInline]
    show_full_result_count = False
