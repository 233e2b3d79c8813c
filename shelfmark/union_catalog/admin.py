"""Admin views of the union catalogue: read-only, because sources and decisions change only through the services
(permissions, audit) on the staff pages under /staff/union/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.union_catalog.models import ClusterDecision, HarvestRun, Source


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Source)
class SourceAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("library", "name", "way", "metadata_prefixes", "schedule", "last_harvested", "is_active")
    list_select_related = ("library",)


@admin.register(HarvestRun)
class HarvestRunAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("id", "source", "status", "read", "new", "updated", "deleted", "rejected", "created_at")
    list_filter = ("status",)
    list_select_related = ("source__library",)


@admin.register(ClusterDecision)
class ClusterDecisionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("id", "kind", "left", "right", "actor", "created_at")
    raw_id_fields = ("left", "right")
