"""Partners are set up in the admin; requests and messages are shown there read-only (the services write them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.ill.models import OutgoingMessage, Partner, Request


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "agency_id_type", "agency_id", "endpoint_url", "library", "is_active")
    search_fields = ("name", "agency_id")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Request)
class RequestAdmin(ReadOnly):
    list_display = (
        "id",
        "title",
        "requesting_library",
        "requesting_partner",
        "supplying_library",
        "supplying_partner",
        "status",
    )
    list_filter = ("status",)


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(ReadOnly):
    list_display = ("id", "request", "partner", "kind", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "kind")
