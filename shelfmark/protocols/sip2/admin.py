"""Staff view of SIP2 terminals: list and search them, enable or disable them (accounts are added by command)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shelfmark.protocols.sip2 import services
from shelfmark.protocols.sip2.models import Terminal


@admin.register(Terminal)
class TerminalAdmin(admin.ModelAdmin):
    list_display = (
        "login",
        "name",
        "library",
        "service_point",
        "institution_id",
        "encoding",
        "enabled",
        "last_login_at",
    )
    list_filter = ("enabled", "encoding", "accept_offline", "pin_required")
    search_fields = ("login", "name", "library__code", "service_point__code")
    list_select_related = ("library", "service_point")
    readonly_fields = [f.name for f in Terminal._meta.fields]
    actions = ["disable", "enable"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # `shelfmark sip2-terminal add` generates and shows the password once

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("停用所选终端"))
    def disable(self, request: HttpRequest, queryset: QuerySet[Terminal]) -> None:
        for terminal in queryset:
            services.set_enabled(terminal=terminal, enabled=False, actor=request.user)
        self.message_user(request, _("已停用 {count} 台终端。").format(count=queryset.count()), messages.SUCCESS)

    @admin.action(description=_("启用所选终端"))
    def enable(self, request: HttpRequest, queryset: QuerySet[Terminal]) -> None:
        for terminal in queryset:
            services.set_enabled(terminal=terminal, enabled=True, actor=request.user)
        self.message_user(request, _("已启用 {count} 台终端。").format(count=queryset.count()), messages.SUCCESS)
