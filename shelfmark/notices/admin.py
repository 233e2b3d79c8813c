"""The outbox in the admin: read what was sent or would be sent, and queue failed notices again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shelfmark.notices import services
from shelfmark.notices.models import Notice, Status


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "recipient", "subject", "status", "sent_at", "reference")
    list_filter = ("status", "channel", "kind")
    search_fields = ("recipient", "reference", "subject")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["retry_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Retrying needs the change permission on notices, though the rows themselves are never edited here."""
        return request.user.has_perm("notices.change_notice")

    @admin.action(description=_("重发所选的发送失败通知"), permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Notice]) -> None:
        """Queue the selected failed notices again; others are left as they are."""
        failed = list(queryset.filter(status=Status.FAILED))
        for notice in failed:
            services.retry_notice(notice=notice, actor=request.user)
        self.message_user(request, _("已重新排队 {count} 条通知。").format(count=len(failed)), level=messages.SUCCESS)
