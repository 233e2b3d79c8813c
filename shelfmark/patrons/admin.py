"""Admin views of readers: read-only (changes go through the services) and every opened reader is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from shelfmark.patrons import access
from shelfmark.patrons.models import DepositEntry, Patron, PatronBlock, PatronCard


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search; writes go through the reader services and the API."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patron)
class PatronAdmin(ReadOnlyAdmin):
    list_display = ("card_number", "name", "category", "home_library", "expires_on", "fines_owed")
    list_filter = ("category", "history_opt_in", "home_delivery")
    search_fields = ("card_number", "name")
    list_select_related = ("home_library",)
    exclude = ("pin_hash", "id_number_hash")
    show_full_result_count = False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Show one reader and record the read, like every other staff read of a reader."""
        response = super().change_view(request, object_id, form_url, extra_context)
        patron = Patron.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if patron is not None and response.status_code == 200:
            access.audit_view(request.user, patron, via="admin")
        return response


@admin.register(PatronBlock)
class PatronBlockAdmin(ReadOnlyAdmin):
    list_display = ("patron", "kind", "reason", "created_at", "lifted_at")
    list_filter = ("kind",)
    list_select_related = ("patron",)


@admin.register(PatronCard)
class PatronCardAdmin(ReadOnlyAdmin):
    list_display = ("number", "patron", "issued_at", "retired_at", "retired_reason")
    search_fields = ("number",)
    list_select_related = ("patron",)


@admin.register(DepositEntry)
class DepositEntryAdmin(ReadOnlyAdmin):
    list_display = ("patron", "kind", "amount", "method", "created_at")
    list_filter = ("kind", "method")
    list_select_related = ("patron",)
