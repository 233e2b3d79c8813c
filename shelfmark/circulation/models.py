"""Circulation data: the policy matrix (CirculationRule); loans, holds and transits join it later."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shelfmark.libraries.models import Level, Library


class ReturnPolicy(models.TextChoices):
    """Where a returned item goes; the values are those `circulation.rules.return_route` reads."""

    HOME = "home", _("送回所属馆")
    FLOATING = "floating", _("浮动（留在归还馆）")


class CirculationRule(models.Model):
    """One cell of the policy matrix: (library subtree, reader category, item type) → loan terms.

    No library means the whole network; blank category or type means any. The most specific matching rule wins
    (see `circulation.rules`). Category and type codes are those of patrons.Category and holdings.ItemType.
    """

    name = models.CharField(_("名称"), max_length=100, blank=True)
    library = models.ForeignKey(
        Library,
        verbose_name=_("适用馆（含下级馆）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="circulation_rules",
        help_text=_("留空表示全网。"),
    )
    patron_category = models.CharField(_("读者类型"), max_length=20, blank=True, help_text=_("留空表示所有读者。"))
    item_type = models.CharField(_("文献类型"), max_length=20, blank=True, help_text=_("留空表示所有文献。"))
    loanable = models.BooleanField(_("可外借"), default=True)
    loan_days = models.PositiveSmallIntegerField(_("借期（天）"), default=30)
    max_loans = models.PositiveSmallIntegerField(_("最多可借册数"), default=10)
    renewals = models.PositiveSmallIntegerField(_("可续借次数"), default=1)
    holds_allowed = models.BooleanField(_("可预约"), default=True)
    hold_shelf_days = models.PositiveSmallIntegerField(_("预约保留天数"), default=7)
    fine_per_day = models.DecimalField(_("每日滞纳金（元）"), max_digits=8, decimal_places=2, default=Decimal("0.10"))
    fine_cap = models.DecimalField(
        _("滞纳金上限（元）"), max_digits=8, decimal_places=2, null=True, blank=True, help_text=_("留空表示不设上限。")
    )
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=0)
    return_policy = models.CharField(
        _("归还去向"), max_length=16, choices=ReturnPolicy.choices, default=ReturnPolicy.HOME
    )
    # A floating rule may keep items within one group: the home library's ancestor at this level (e.g. its city).
    float_level = models.CharField(
        _("浮动范围"),
        max_length=16,
        choices=Level.choices,
        blank=True,
        help_text=_("仅对浮动馆藏：在所属馆的哪一级上级馆范围内浮动；留空表示全网浮动。"),
    )
    notes = models.TextField(_("备注"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["library__path", "item_type", "patron_category"]
        verbose_name = _("流通规则")
        verbose_name_plural = _("流通规则")
        constraints = [
            # Two partial indexes, because a plain unique index lets NULL libraries (network rules) repeat.
            models.UniqueConstraint(
                fields=["library", "patron_category", "item_type"],
                condition=Q(library__isnull=False),
                name="circulation_rule_unique_in_library",
            ),
            models.UniqueConstraint(
                fields=["patron_category", "item_type"],
                condition=Q(library__isnull=True),
                name="circulation_rule_unique_in_network",
            ),
            models.CheckConstraint(condition=Q(fine_per_day__gte=0), name="circulation_rule_fine_per_day_positive"),
            models.CheckConstraint(
                condition=Q(fine_cap__isnull=True) | Q(fine_cap__gte=0), name="circulation_rule_fine_cap_positive"
            ),
            models.CheckConstraint(
                condition=Q(return_policy=ReturnPolicy.FLOATING) | Q(float_level=""),
                name="circulation_rule_float_level_only_when_floating",
            ),
        ]

    def __str__(self) -> str:
        return (
            self.name or f"{self.library_name or _('全网')} / {self.patron_category or '*'} / {self.item_type or '*'}"
        )

    @property
    def library_path(self) -> str:
        """Materialized path of the rule's library, "" for a network-wide rule (select_related the library)."""
        return self.library.path if self.library_id and self.library else ""

    @property
    def library_name(self) -> str:
        """Name of the rule's library, "" for a network-wide rule."""
        return self.library.name if self.library_id and self.library else ""

    def clean(self) -> None:
        """Refuse a float level on a rule that sends items home, where it would mean nothing."""
        if self.float_level and self.return_policy != ReturnPolicy.FLOATING:
            raise ValidationError({"float_level": _("只有浮动馆藏才能设置浮动范围。")})
