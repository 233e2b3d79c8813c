"""The library network tree (总分馆体系), its service points and opening calendars."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    TOWNSHIP = "township", _("乡镇")
    BRANCH = "branch", _("分馆/基层")


class Kind(models.TextChoices):
    LIBRARY = "library", _("图书馆")
    BRANCH = "branch", _("分馆")
    STUDY_ROOM = "study_room", _("城市书房")
    SELF_SERVICE = "self_service", _("24小时自助图书馆")
    BOOKMOBILE = "bookmobile", _("流动图书车")


class Library(models.Model):
    """A node of the network: a library, a branch, a study room, a kiosk library or a bookmobile."""

    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.LIBRARY)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # Materialized path of primary keys ("/1/4/9/"): a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("图书馆")
        verbose_name_plural = _("图书馆")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_within(self, ancestor: Library) -> bool:
        """Tell whether this node is `ancestor` or lies below it."""
        return self.path.startswith(ancestor.path)


class ServicePoint(models.Model):
    """A place where circulation happens: a desk, a self-service machine, a return box."""

    class Kind(models.TextChoices):
        DESK = "desk", _("服务台")
        KIOSK = "kiosk", _("自助借还机")
        RETURN_BOX = "return_box", _("还书箱")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="service_points")
    code = models.CharField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.DESK)
    is_pickup_point = models.BooleanField(_("可取预约书"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("服务点")
        verbose_name_plural = _("服务点")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class OpeningHours(models.Model):
    """Regular opening hours of a library on one weekday (0 = Monday)."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("星期"))
    opens = models.TimeField(_("开馆"))
    closes = models.TimeField(_("闭馆"))

    class Meta:
        ordering = ["library", "weekday", "opens"]
        verbose_name = _("开馆时间")
        verbose_name_plural = _("开馆时间")
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="opening_hours_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.library.code} {self.weekday} {self.opens}-{self.closes}"


class ClosedDay(models.Model):
    """A day a library is closed; when `applies_to_subtree`, every library below it closes too."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    applies_to_subtree = models.BooleanField(_("适用于下级馆"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("闭馆日")
        verbose_name_plural = _("闭馆日")
        constraints = [models.UniqueConstraint(fields=["library", "date"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.library.code} {self.date}"
