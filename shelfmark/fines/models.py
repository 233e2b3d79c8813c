"""Charges a reader owes, the payments that settle them (allocated charge by charge) and waivers.

A charge names its source ("loan:123"), so circulation calls fines and never the reverse. For every
charge, paid + waived never exceeds the amount, and the reader's `Patron.fines_owed` is the sum of
what is still outstanding, kept exact by the services in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelfmark.patrons.models import Patron

ZERO = Decimal("0.00")
# Amounts are whole cents, but SQLite keeps decimals as binary floats, where 0.56 + 0.01 > 0.57. Half a
# cent of slack in comparisons made by the database absorbs that and never hides a real cent.
HALF_CENT = Decimal("0.005")


def outstanding_q() -> models.Q:
    """Match charges with something left to pay (amount above paid + waived)."""
    return models.Q(amount__gt=models.F("paid") + models.F("waived") + HALF_CENT)


class ChargeKind(models.TextChoices):
    OVERDUE = "overdue", _("逾期费")
    LOST = "lost", _("丢失赔偿")
    DAMAGE = "damage", _("损坏赔偿")
    MANUAL = "manual", _("其他费用")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    UNIONPAY = "unionpay", _("银联卡")
    DEPOSIT = "deposit", _("押金抵扣")
    OTHER = "other", _("其他")


class Charge(models.Model):
    """An amount a reader owes for one reason; idempotent per (source, kind) when it has a source."""

    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="charges", verbose_name=_("读者"))
    kind = models.CharField(_("类型"), max_length=16, choices=ChargeKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    paid = models.DecimalField(_("已付"), max_digits=10, decimal_places=2, default=ZERO)
    waived = models.DecimalField(_("已减免"), max_digits=10, decimal_places=2, default=ZERO)
    source = models.CharField(_("来源"), max_length=64, blank=True, help_text='e.g. "loan:123"')
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("产生时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("费用")
        verbose_name_plural = _("费用")
        indexes = [models.Index(fields=["patron", "created_at"], name="charge_patron_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind"], condition=~models.Q(source=""), name="charge_source_kind_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, paid__gte=0, waived__gte=0), name="charge_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(paid__lte=models.F("amount") - models.F("waived") + HALF_CENT),
                name="charge_not_over_settled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.source or self.pk})"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid - self.waived


class Payment(models.Model):
    """Money a reader paid at a desk or online, spread over their charges oldest first."""

    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="payments", verbose_name=_("读者"))
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    method = models.CharField(_("方式"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.CASH)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("缴费")
        verbose_name_plural = _("缴费")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.patron_id} {self.amount} {self.method}"


class PaymentAllocation(models.Model):
    """The part of a payment that settled one charge."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["payment", "id"]
        verbose_name = _("缴费分配")
        verbose_name_plural = _("缴费分配")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_amount_positive")]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.charge_id}: {self.amount}"


class Waiver(models.Model):
    """Part or all of a charge forgiven by staff, with the reason."""

    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="waivers")
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("原因"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("减免")
        verbose_name_plural = _("减免")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="waiver_amount_positive")]

    def __str__(self) -> str:
        return f"{self.charge_id} −{self.amount}"
