"""Admin for regions (editable: divisions change), indicators (targets are set here) and local documents (read)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.alliance.models import Indicator, LocalDocument, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "direction", "target", "position", "is_active"]
    list_editable = ["target", "position", "is_active"]
    search_fields = ["code", "name", "name_en"]


@admin.register(LocalDocument)
class LocalDocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are registered, changed and withdrawn through the services, which audit them."""

    list_display = ["id", "title", "library", "region", "year_from", "year_to", "is_legal_deposit", "withdrawn_at"]
    list_filter = ["is_legal_deposit", "region__level"]
    search_fields = ["citation", "record__title", "library__code"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
