"""Admin for the circulation policy matrix; every save and delete is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shelfmark.circulation.models import CirculationRule
from shelfmark.core import events


@admin.register(CirculationRule)
class CirculationRuleAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "scope",
        "patron_category",
        "item_type",
        "loanable",
        "loan_days",
        "max_loans",
        "renewals",
        "holds_allowed",
        "fine_per_day",
        "fine_cap",
        "return_policy",
    )
    list_filter = ("loanable", "holds_allowed", "return_policy", "patron_category", "item_type")
    search_fields = ("name", "library__code", "library__name", "patron_category", "item_type")
    list_select_related = ("library",)
    autocomplete_fields = ("library",)
    fieldsets = (
        (None, {"fields": ("name", "library", "patron_category", "item_type", "notes")}),
        (_("借阅"), {"fields": ("loanable", "loan_days", "max_loans", "renewals")}),
        (_("预约"), {"fields": ("holds_allowed", "hold_shelf_days")}),
        (_("滞纳金"), {"fields": ("fine_per_day", "fine_cap", "grace_days")}),
        (_("归还"), {"fields": ("return_policy", "float_level")}),
    )

    @admin.display(description=_("适用馆"), ordering="library__path")
    def scope(self, rule: CirculationRule) -> str:
        return str(rule.library) if rule.library_id else str(_("全网"))

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: CirculationRule, form: Any, change: bool) -> None:
        """Save the rule and record who changed the policy."""
        super().save_model(request, obj, form, change)
        changed = sorted(form.changed_data) if change else []
        events.record("circulation.rule_saved", actor=request.user, target=obj, data={"changed": changed})

    @transaction.atomic
    def delete_model(self, request: HttpRequest, obj: CirculationRule) -> None:
        """Delete the rule and record who removed it and what it said."""
        events.record("circulation.rule_deleted", actor=request.user, target=obj, data={"rule": str(obj)})
        super().delete_model(request, obj)
