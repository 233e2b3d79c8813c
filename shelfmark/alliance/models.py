"""The alliance's joint local-document collection (地方文献) and its scorecard indicators (联盟绩效考评)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.libraries.models import Library

CITATION_MAX = 1000
SUBJECTS_MAX = 20


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("地级")
    COUNTY = "county", _("县级")


class Region(models.Model):
    """An administrative division a local document documents, by its GB/T 2260 code (辽宁省 210000)."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("上级")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="alliance_region_code_six_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class LocalDocument(models.Model):
    """A local document (地方文献) a member library holds or received as legal deposit (呈缴本), registered with
    the region and years it documents so the alliance sees what is collected and where the gaps are."""

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, related_name="local_documents", verbose_name=_("收藏馆")
    )
    record = models.ForeignKey(
        Record,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_documents",
        verbose_name=_("书目记录"),
    )
    citation = models.TextField(_("简要著录"), blank=True, help_text=_("未编目时的题名、责任者、出版信息"))
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="documents", verbose_name=_("所记地区"))
    subjects = models.JSONField(_("主题"), default=list, blank=True)
    year_from = models.PositiveSmallIntegerField(_("起始年"))
    year_to = models.PositiveSmallIntegerField(_("截止年"))
    is_legal_deposit = models.BooleanField(_("呈缴本"), default=False)
    received_on = models.DateField(_("接收日期"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = ["-id"]
        verbose_name = _("地方文献")
        verbose_name_plural = _("地方文献")
        constraints = [
            models.CheckConstraint(condition=Q(year_from__lte=models.F("year_to")), name="alliance_doc_years_order"),
            models.CheckConstraint(
                condition=Q(record__isnull=False) | ~Q(citation=""), name="alliance_doc_record_or_citation"
            ),
            # A library registers a catalogued document once (while it stands); withdrawn ones may come back.
            models.UniqueConstraint(
                fields=["library", "record"],
                condition=Q(withdrawn_at__isnull=True, record__isnull=False),
                name="alliance_doc_once_per_library",
            ),
        ]
        indexes = [models.Index(fields=["region", "year_from", "year_to"], name="alliance_doc_region_years")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.record.title if self.record_id and self.record else self.citation.splitlines()[0][:200]


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Indicator(models.Model):
    """One quantifiable indicator of the alliance scorecard; its value is computed by the function registered under
    its code in alliance.indicators."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    formula = models.TextField(_("计算方法"), blank=True)
    direction = models.CharField(_("方向"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("显示顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
