"""The notice outbox: every email or SMS the platform sends, or would send, and what became of it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SUBJECT_LENGTH = 200
REFERENCE_LENGTH = 100


class Channel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("到期提醒")
    OVERDUE = "overdue", _("逾期通知")
    HOLD_READY = "hold_ready", _("预约到书")
    HOLD_EXPIRED = "hold_expired", _("预约过期")
    ILL_ARRIVED = "ill_arrived", _("馆际互借到书")


class Status(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    STORED = "stored", _("已存入发件箱")  # the outbox backend keeps it; nothing left the platform
    FAILED = "failed", _("发送失败")


class Notice(models.Model):
    """One message to one reader on one channel; (channel, kind, reference) is sent at most once."""

    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("收件人"), max_length=254)
    subject = models.CharField(_("标题"), max_length=SUBJECT_LENGTH, blank=True)
    body = models.TextField(_("正文"))
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    # What the notice is about, e.g. "loan:123:overdue:1"; with kind and channel it makes a retry harmless.
    reference = models.CharField(_("关联对象"), max_length=REFERENCE_LENGTH)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(_("发送方式"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知发件箱")
        constraints = [
            models.UniqueConstraint(fields=["channel", "kind", "reference"], name="notice_once_per_reference"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="notice_status_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"
