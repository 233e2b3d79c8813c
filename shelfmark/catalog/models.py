"""Bibliographic records: the full MARC record kept as MARC-in-JSON beside the fields we index."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelfmark.libraries.models import Library


class MarcFormat(models.TextChoices):
    MARC21 = "marc21", "MARC21"
    CNMARC = "cnmarc", "CNMARC"


class ResourceType(models.TextChoices):
    PRINT = "print", _("纸本图书")
    PERIODICAL = "periodical", _("连续出版物")
    MICROFORM = "microform", _("缩微资源")
    DIGITAL = "digital", _("数字资源")
    WEB = "web", _("网络资源")
    ANCIENT = "ancient", _("古籍")
    AUDIOVISUAL = "audiovisual", _("视听资料")


class Record(models.Model):
    """A bibliographic record (书目记录) of the network's shared catalogue."""

    control_number = models.CharField(_("控制号"), max_length=64, blank=True, db_index=True)
    marc_format = models.CharField(_("MARC 格式"), max_length=8, choices=MarcFormat.choices)
    marc = models.JSONField(_("MARC 记录"), help_text="MARC-in-JSON")
    title = models.TextField(_("题名"))
    title_romanized = models.TextField(_("题名（罗马化）"), blank=True)
    other_titles = models.JSONField(_("其他题名"), default=list, blank=True)
    # Normalised title (NFKC, simplified, lower-case, no spaces or punctuation): exact-title match and dedup.
    title_key = models.CharField(max_length=255, db_index=True, blank=True)
    responsibility = models.TextField(_("责任说明"), blank=True)
    authors = models.JSONField(_("责任者"), default=list, blank=True)
    publisher = models.CharField(_("出版者"), max_length=255, blank=True)
    place = models.CharField(_("出版地"), max_length=255, blank=True)
    year = models.IntegerField(_("出版年"), null=True, blank=True, db_index=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    isbns = models.JSONField(default=list, blank=True)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True, db_index=True)
    clc_class = models.CharField(_("中图法分类号"), max_length=64, blank=True, db_index=True)
    other_classes = models.JSONField(_("其他分类号"), default=list, blank=True)
    subjects = models.JSONField(_("主题"), default=list, blank=True)
    language = models.CharField(_("语种"), max_length=3, blank=True, db_index=True)
    resource_type = models.CharField(
        _("资源类型"), max_length=16, choices=ResourceType.choices, default=ResourceType.PRINT, db_index=True
    )
    is_local_document = models.BooleanField(_("地方文献"), default=False)
    is_legal_deposit = models.BooleanField(_("呈缴本"), default=False)
    library = models.ForeignKey(
        Library,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="records",
        verbose_name=_("编目馆"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("书目记录")
        verbose_name_plural = _("书目记录")
        # OAI-PMH harvests by date (from=, until=) and states the earliest datestamp: both read updated_at.
        indexes = [models.Index(fields=["updated_at"], name="catalog_record_updated_at")]

    def __str__(self) -> str:
        return self.title


class DeletedRecord(models.Model):
    """What stays of a deleted record (its id, control number, format and type), so that harvesters learn of the
    deletion: OAI-PMH with deletedRecord=persistent answers for it for ever."""

    # The deleted Record's primary key: ids are never reused (AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
    record_id = models.BigIntegerField(unique=True)
    control_number = models.CharField(_("控制号"), max_length=64, blank=True)
    marc_format = models.CharField(_("MARC 格式"), max_length=8, choices=MarcFormat.choices)
    resource_type = models.CharField(_("资源类型"), max_length=16, choices=ResourceType.choices)
    deleted_at = models.DateTimeField(_("删除时间"), db_index=True)

    class Meta:
        ordering = ["record_id"]
        verbose_name = _("已删除书目记录")
        verbose_name_plural = _("已删除书目记录")

    def __str__(self) -> str:
        return f"{self.record_id} ({self.control_number})" if self.control_number else str(self.record_id)


class ImportJob(models.Model):
    """One run of a MARC import, with its counts and the rejected records' positions and reasons."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待")
        RUNNING = "running", _("进行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=500, blank=True)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total_bytes = models.BigIntegerField(default=0)
    processed_bytes = models.BigIntegerField(default=0)
    read = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    rejects = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.SET_NULL)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
