"""Admin views of the catalogue: read-only, because records change only through services (audit, index)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.catalog.models import ImportJob, Record


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search; writes go through the catalogue services, the API or the import page."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "title", "responsibility", "year", "isbn", "clc_class", "resource_type", "library")
    list_filter = ("marc_format", "resource_type", "is_local_document", "is_legal_deposit")
    search_fields = ("title", "title_romanized", "isbn", "control_number")
    list_select_related = ("library",)
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "file_name", "status", "read", "created", "updated", "rejected", "actor", "created_at")
    list_filter = ("status",)
    search_fields = ("file_name",)
