"""Readers (读者): cards, categories, PIN, hashed ID-card number, blocks, history counters and deposits."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelfmark.libraries.models import Library


class Category(models.TextChoices):
    ADULT = "adult", _("成人")
    MINOR = "minor", _("未成年人")
    CHILD = "child", _("少儿")
    SENIOR = "senior", _("老年人")
    DISABLED = "disabled", _("残障人士")
    STUDENT = "student", _("学生")
    STAFF = "staff", _("馆员")
    INSTITUTIONAL = "institutional", _("集体证（班级/单位）")


class Patron(models.Model):
    """A reader of the network: one card number, one home library, one history of returns and fines."""

    card_number = models.CharField(_("读者证号"), max_length=32, unique=True)
    name = models.CharField(_("姓名"), max_length=100)
    category = models.CharField(_("读者类型"), max_length=16, choices=Category.choices, default=Category.ADULT)
    home_library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="patrons", verbose_name=_("所属馆")
    )
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    # Class and institution cards: the teacher or contact who answers for the card's loans.
    responsible_person = models.CharField(_("负责人"), max_length=100, blank=True)
    pin_hash = models.CharField(max_length=128, blank=True, editable=False)
    failed_pin_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    pin_locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    # Keyed hash (HMAC-SHA256 with SECRET_KEY) of the 18-character ID-card number; the number itself is never kept.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True, editable=False)
    expires_on = models.DateField(_("有效期至"))
    history_opt_in = models.BooleanField(_("保留借阅历史"), default=False)
    home_delivery = models.BooleanField(_("可送书上门"), default=False)
    on_time_returns = models.PositiveIntegerField(_("按时归还次数"), default=0, editable=False)
    late_returns = models.PositiveIntegerField(_("逾期归还次数"), default=0, editable=False)
    lost_items = models.PositiveIntegerField(_("丢失次数"), default=0, editable=False)
    # Sum of the reader's outstanding charges, kept exact by the fines services in their own transaction.
    fines_owed = models.DecimalField(
        _("欠款"), max_digits=10, decimal_places=2, default=Decimal("0.00"), editable=False
    )
    created_at = models.DateTimeField(_("办证时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["card_number"]
        verbose_name = _("读者")
        verbose_name_plural = _("读者")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~models.Q(id_number_hash=""), name="patron_id_number_unique"
            ),
            models.CheckConstraint(condition=models.Q(fines_owed__gte=0), name="patron_fines_owed_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.card_number})"


class PatronCard(models.Model):
    """Every card number a reader has held: a number is never reused, and a retired one is recognised."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="cards")
    number = models.CharField(_("读者证号"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("发证时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    retired_reason = models.CharField(_("停用原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["patron", "id"]
        verbose_name = _("读者证")
        verbose_name_plural = _("读者证")

    def __str__(self) -> str:
        return self.number


class BlockKind(models.TextChoices):
    """Stored blocks; expired, fines over limit and overdue blocks are computed, not stored."""

    MANUAL = "manual", _("人工停借")
    LOST_CARD = "lost_card", _("挂失")


class PatronBlock(models.Model):
    """A block staff put on a reader (or a lost-card report), kept after it is lifted as its history."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="stored_blocks")
    kind = models.CharField(_("类型"), max_length=16, choices=BlockKind.choices, default=BlockKind.MANUAL)
    reason = models.CharField(_("原因"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("设置时间"))
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("停借")
        verbose_name_plural = _("停借")
        indexes = [models.Index(fields=["patron", "lifted_at"], name="patron_block_active")]

    def __str__(self) -> str:
        return f"{self.patron_id} {self.kind}: {self.reason}"


class DepositKind(models.TextChoices):
    TAKEN = "taken", _("收取押金")
    REFUNDED = "refunded", _("退还押金")


class DepositEntry(models.Model):
    """One line of a reader's deposit ledger: taken is positive, refunded negative; the balance is their sum."""

    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="deposit_entries")
    kind = models.CharField(_("类型"), max_length=16, choices=DepositKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    method = models.CharField(_("方式"), max_length=16, default="cash")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("押金记录")
        verbose_name_plural = _("押金记录")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="taken", amount__gt=0) | models.Q(kind="refunded", amount__lt=0)),
                name="deposit_entry_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patron_id} {self.kind} {self.amount}"
