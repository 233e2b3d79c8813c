"""Items (单册): the physical copies of a record, with barcode and QR identity, place and status history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.libraries.models import Library


class ItemType(models.TextChoices):
    BOOK = "book", _("普通图书")
    CHILDREN = "children", _("少儿图书")
    PERIODICAL = "periodical", _("期刊")
    AUDIOVISUAL = "audiovisual", _("视听资料")
    REFERENCE = "reference", _("工具书（不外借）")
    RARE = "rare", _("古籍（不外借）")
    LOCAL = "local", _("地方文献")


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("在架")
    ON_LOAN = "on_loan", _("借出")
    IN_TRANSIT = "in_transit", _("在途")
    ON_HOLD_SHELF = "on_hold_shelf", _("预约架")
    IN_PROCESSING = "in_processing", _("加工中")
    IN_RESTORATION = "in_restoration", _("修复中")
    LOST = "lost", _("丢失")
    MISSING = "missing", _("下落不明")
    DAMAGED = "damaged", _("破损")
    WITHDRAWN = "withdrawn", _("已剔除")


class Item(models.Model):
    """One physical copy of a record, held by a library of the network and found by barcode or QR code."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items", verbose_name=_("书目记录"))
    barcode = models.CharField(_("条码"), max_length=32, unique=True)
    qr_code = models.CharField(_("二维码"), max_length=16, unique=True)
    call_number = models.CharField(_("索书号"), max_length=100, blank=True)
    # The (home_library, status) index below serves lookups by home library as well.
    home_library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="items", db_index=False, verbose_name=_("所属馆")
    )
    current_library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="items_present", verbose_name=_("所在馆")
    )
    shelving_location = models.CharField(_("馆藏位置"), max_length=100, blank=True)
    item_type = models.CharField(_("单册类型"), max_length=16, choices=ItemType.choices, default=ItemType.BOOK)
    price = models.DecimalField(_("价格"), max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE)
    status_changed_at = models.DateTimeField(_("状态变更时间"), default=timezone.now)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("单册")
        verbose_name_plural = _("单册")
        indexes = [
            models.Index(fields=["home_library", "status"], name="holdings_item_home_status"),
            # New arrivals of a library's subtree: a short range of recent items per library of the subtree.
            models.Index(fields=["home_library", "created_at"], name="holdings_item_home_created"),
        ]

    def __str__(self) -> str:
        return f"{self.barcode} ({self.call_number})" if self.call_number else self.barcode


class ItemStatusChange(models.Model):
    """One change of an item's status: from what, to what, where, by whom and why; appended, never edited."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=16, choices=ItemStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=ItemStatus.choices)
    library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("发生馆")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_at = models.DateTimeField(_("变更时间"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("单册状态变更")
        verbose_name_plural = _("单册状态变更")

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_status} → {self.to_status}"


class BarcodeCounter(models.Model):
    """The last number used for generated barcodes: one row, advanced under its row lock."""

    name = models.CharField(max_length=32, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
