"""SIP2 terminal accounts: one login per kiosk, sorter or smart shelf, bound to a library and a service point."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelfmark.libraries.models import Library, ServicePoint


class Encoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    GB18030 = "gb18030", _("GB18030（较旧的国产自助设备）")


class Terminal(models.Model):
    """A self-service machine's SIP2 account; everything it does happens at its library and service point.

    The machine acts through its own user (no password, not staff), so audit events and idempotency keys name
    the terminal; when offline transactions are accepted that user holds the circulation role at the library,
    which lets a no-block check-out record the override the machine already made.
    """

    login = models.CharField(_("登录名"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100, blank=True)
    password_hash = models.CharField(max_length=128, editable=False)
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属馆"))
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="+", verbose_name=_("服务点")
    )
    institution_id = models.CharField(_("机构代码（AO）"), max_length=64)
    encoding = models.CharField(_("字符编码"), max_length=16, choices=Encoding.choices, default=Encoding.UTF8)
    enabled = models.BooleanField(_("启用"), default=True)
    accept_offline = models.BooleanField(
        _("接受脱机交易"), default=True, help_text=_("no block 交易照常检查，若被拒则以覆盖方式记录并注明原因。")
    )
    pin_required = models.BooleanField(
        _("借还须验证读者密码"), default=True, help_text=_("借出、续借、预约和缴费前须在本次会话中验证读者密码。")
    )
    sort_bins = models.JSONField(
        _("分拣箱"), default=dict, blank=True, help_text=_('如 {"hold": "2", "transit": "3", "transit:LN-SY": "4"}')
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sip2_terminal", editable=False
    )
    created_at = models.DateTimeField(_("创建时间"))
    last_login_at = models.DateTimeField(_("最近登录"), null=True, blank=True)

    class Meta:
        ordering = ["login"]
        verbose_name = _("SIP2 终端")
        verbose_name_plural = _("SIP2 终端")

    def __str__(self) -> str:
        return f"{self.login} ({self.library.code})" if self.library_id else self.login
