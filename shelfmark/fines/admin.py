"""Admin views of fines: read-only, because money moves only through the fines services (audit, fines owed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from shelfmark.fines.models import Charge, Payment, PaymentAllocation, Waiver


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse and search; writes go through the fines services and the API."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ("id", "patron", "kind", "amount", "paid", "waived", "source", "created_at")
    list_filter = ("kind",)
    search_fields = ("source", "patron__card_number")
    list_select_related = ("patron",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "patron", "amount", "method", "created_at")
    list_filter = ("method",)
    search_fields = ("patron__card_number",)
    list_select_related = ("patron",)


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(ReadOnlyAdmin):
    list_display = ("payment", "charge", "amount")


@admin.register(Waiver)
class WaiverAdmin(ReadOnlyAdmin):
    list_display = ("id", "charge", "amount", "reason", "actor", "created_at")
