"""The union catalogue (联合书目): member sources, what was harvested from them, and clusters of one manifestation.

A member library on another system is a `Source`; what it sends lands as its `SourceRecord`s (never as catalogue
records of this installation) with their `SourceHolding`s. Every member record and every catalogue record of ours
takes part in clustering as one `ClusterMember` carrying its match keys; a `Cluster` groups the members that
describe the same manifestation and names a preferred one. Cataloguers' `ClusterDecision`s (must-link /
cannot-link) bind every later clustering run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.libraries.models import Library

METADATA_PREFIXES = ("marc21", "cnmarc", "oai_dc")


class Source(models.Model):
    """A member library that is not on this installation, and how its records come in (成员馆来源)."""

    class Way(models.TextChoices):
        OAI_PMH = "oai_pmh", _("OAI-PMH 收割")
        FILE = "file", _("MARC 文件上传")

    class Schedule(models.TextChoices):
        MANUAL = "manual", _("手动")
        DAILY = "daily", _("每天")
        WEEKLY = "weekly", _("每周")

    # The source's code is its node of the network tree: one source per member library.
    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="union_source", verbose_name=_("成员馆")
    )
    name = models.CharField(_("名称"), max_length=200)
    way = models.CharField(_("接入方式"), max_length=16, choices=Way.choices, default=Way.OAI_PMH)
    base_url = models.URLField(_("OAI-PMH 地址"), max_length=500, blank=True)
    set_spec = models.CharField(_("集合"), max_length=200, blank=True)
    # One or more of marc21, cnmarc, oai_dc, comma-separated, harvested in that order in one run: a Shelfmark
    # provider serves MARC 21 records under marc21 and CNMARC ones under cnmarc (ADR 0006).
    metadata_prefixes = models.CharField(_("元数据格式"), max_length=64, default="marc21")
    marc_format = models.CharField(_("MARC 格式"), max_length=8, default="auto")  # files: auto, marc21, cnmarc
    encoding = models.CharField(_("字符编码"), max_length=16, default="auto")  # files: auto, utf-8, marc-8, gb18030
    schedule = models.CharField(_("收割计划"), max_length=16, choices=Schedule.choices, default=Schedule.MANUAL)
    schedule_time = models.TimeField(_("收割时间"), null=True, blank=True)
    schedule_weekday = models.PositiveSmallIntegerField(_("星期"), null=True, blank=True)  # 0 = Monday
    is_active = models.BooleanField(_("启用"), default=True)
    # The provider's responseDate when the last complete harvest began: the next incremental harvest's `from`
    # (the provider's own clock, so skew between the two machines loses nothing).
    last_harvested = models.DateTimeField(_("上次收割至"), null=True, blank=True)
    granularity = models.CharField(max_length=32, blank=True)  # from Identify: YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["library__path"]
        verbose_name = _("成员馆来源")
        verbose_name_plural = _("成员馆来源")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(schedule_weekday__isnull=True) | models.Q(schedule_weekday__lte=6),
                name="union_source_weekday_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def code(self) -> str:
        return self.library.code

    @property
    def prefixes(self) -> list[str]:
        return [prefix.strip() for prefix in self.metadata_prefixes.split(",") if prefix.strip()]


class HarvestRun(models.Model):
    """One harvest (or file load) of a source, its place in the list (resumption token) and its run log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待")
        RUNNING = "running", _("进行中")
        INTERRUPTED = "interrupted", _("已中断")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")
        ABANDONED = "abandoned", _("已放弃")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    full = models.BooleanField(_("全量"), default=False)
    harvest_from = models.DateTimeField(_("起始时间"), null=True, blank=True)
    harvest_until = models.DateTimeField(_("截止时间"), null=True, blank=True)
    prefixes = models.JSONField(default=list, blank=True)
    prefix_index = models.PositiveSmallIntegerField(default=0)  # which of `prefixes` is being harvested
    resumption_token = models.TextField(blank=True)
    cursor = models.IntegerField(default=0)  # records of the current list already landed
    complete_list_size = models.IntegerField(null=True, blank=True)
    response_date = models.DateTimeField(null=True, blank=True)  # the provider's clock at the first response
    pages = models.IntegerField(default=0)
    read = models.IntegerField(_("读取"), default=0)
    new = models.IntegerField(_("新增"), default=0)
    updated = models.IntegerField(_("更新"), default=0)
    unchanged = models.IntegerField(_("未变"), default=0)
    deleted = models.IntegerField(_("删除"), default=0)
    rejected = models.IntegerField(_("拒收"), default=0)
    rejects = models.JSONField(default=list, blank=True)  # [{"identifier", "reason"}], the first REJECTS_KEPT
    retries = models.IntegerField(default=0)
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    replace = models.BooleanField(default=False)  # a file that is the member's whole catalogue
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # moved at each landed page
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("收割记录")
        verbose_name_plural = _("收割记录")
        indexes = [models.Index(fields=["source", "status"], name="union_run_source_status")]

    def __str__(self) -> str:
        return f"{self.source_id} #{self.pk} ({self.status})"

    def line(self) -> str:
        """The run log's counts on one line."""
        return (
            f"read={self.read} new={self.new} updated={self.updated} unchanged={self.unchanged}"
            f" deleted={self.deleted} rejected={self.rejected}"
        )


class SourceRecord(models.Model):
    """A member's record as harvested: its identifier, datestamp, deletion and MARC. Not a catalogue record."""

    # No index of its own: the unique (source, identifier) index serves lookups by source. With both, SQLite (no
    # statistics) looked up a batch's 1,000 identifiers by scanning the source's index: quadratic in a member's size.
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records", db_index=False)
    identifier = models.CharField(_("标识符"), max_length=255)  # the OAI identifier, or the 001 of a file's record
    datestamp = models.DateTimeField(_("时间戳"), null=True, blank=True)
    deleted = models.BooleanField(_("已删除"), default=False)
    marc_format = models.CharField(_("MARC 格式"), max_length=8, blank=True)
    marc = models.JSONField(_("MARC 记录"), default=dict, blank=True, help_text="MARC-in-JSON")
    digest = models.CharField(max_length=32, blank=True)  # of the MARC as landed: an unchanged record is not rewritten
    # The run that last saw the record: a full harvest marks what it did not see as deleted.
    last_run = models.ForeignKey(HarvestRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("成员馆书目")
        verbose_name_plural = _("成员馆书目")
        constraints = [models.UniqueConstraint(fields=["source", "identifier"], name="union_source_record_unique")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.identifier}"


class SourceHolding(models.Model):
    """A copy a member holds, read from the record's 852/876 (MARC 21), 905 (CNMARC) or 952 (Koha) fields."""

    source_record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="holdings")
    library_code = models.CharField(_("馆代码"), max_length=64, blank=True)
    # The network node with that code, when this installation knows it; else the source's library.
    library = models.ForeignKey(Library, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    barcode = models.CharField(_("条码"), max_length=64, blank=True)
    call_number = models.CharField(_("索书号"), max_length=100, blank=True)
    location = models.CharField(_("馆藏位置"), max_length=100, blank=True)
    tag = models.CharField(max_length=3)

    class Meta:
        ordering = ["id"]
        verbose_name = _("成员馆馆藏")
        verbose_name_plural = _("成员馆馆藏")

    def __str__(self) -> str:
        return f"{self.library_code} {self.barcode}".strip()


class Cluster(models.Model):
    """Records of one manifestation from every source and our catalogue (聚类), with a preferred record."""

    preferred = models.ForeignKey(
        "ClusterMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("优选记录")
    )
    size = models.IntegerField(_("记录数"), default=0)
    title = models.TextField(_("题名"), blank=True)  # the preferred record's, for lists
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("聚类")
        verbose_name_plural = _("聚类")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class ClusterMember(models.Model):
    """One record taking part in clustering, with the match keys extracted from its MARC.

    Exactly one of `source_record` (a member's record) and `record` (a catalogue record of ours) is set. The
    catalogue record is referenced without a database constraint: deleting it must not reach into this app
    (record ids are never reused, ADR 0006); the next clustering run drops members whose record is gone.
    """

    source_record = models.OneToOneField(
        SourceRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="member"
    )
    record = models.OneToOneField(
        Record,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="union_member",
    )
    active = models.BooleanField(default=True)  # False for a member's deleted record
    # What pages show of the record.
    title = models.TextField(_("题名"), blank=True)
    responsibility = models.TextField(_("责任说明"), blank=True)
    publisher = models.CharField(_("出版者"), max_length=255, blank=True)
    year = models.IntegerField(_("出版年"), null=True, blank=True)
    marc_format = models.CharField(_("MARC 格式"), max_length=8, blank=True)
    # Match keys (union_catalog.keys): folded and stripped of spaces and punctuation.
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    isbns = models.JSONField(default=list, blank=True)
    title_key = models.CharField(max_length=255, blank=True, db_index=True)
    author_key = models.CharField(max_length=128, blank=True)
    responsibility_key = models.CharField(max_length=255, blank=True)
    publisher_key = models.CharField(max_length=128, blank=True)
    volume = models.CharField(_("卷册"), max_length=32, blank=True)
    edition = models.CharField(_("版次"), max_length=32, blank=True)
    fullness = models.SmallIntegerField(_("完整度"), default=0)  # the preferred-record score (keys.fullness)
    keys_from = models.DateTimeField(null=True, blank=True)  # the catalogue record's updated_at the keys came from
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")

    class Meta:
        ordering = ["id"]
        verbose_name = _("聚类成员")
        verbose_name_plural = _("聚类成员")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source_record__isnull=True, record__isnull=False)
                | models.Q(source_record__isnull=False, record__isnull=True),
                name="union_member_one_origin",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_ours(self) -> bool:
        return self.record_id is not None


class ClusterDecision(models.Model):
    """A cataloguer's pinned decision on two records: the same manifestation or not, kept by every later run."""

    class Kind(models.TextChoices):
        MUST_LINK = "must_link", _("同一版本")
        CANNOT_LINK = "cannot_link", _("不同版本")

    kind = models.CharField(_("决定"), max_length=16, choices=Kind.choices)
    # left.pk < right.pk: one row per pair.
    left = models.ForeignKey(ClusterMember, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(ClusterMember, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("聚类决定")
        verbose_name_plural = _("聚类决定")
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="union_decision_pair_unique"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")), name="union_decision_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id}-{self.right_id} {self.kind}"


class CandidatePair(models.Model):
    """Two records the last clustering run found alike but below the confidence threshold: for a cataloguer."""

    left = models.ForeignKey(ClusterMember, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(ClusterMember, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("相似度"))
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("候选合并")
        verbose_name_plural = _("候选合并")
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="union_candidate_pair_unique")]

    def __str__(self) -> str:
        return f"{self.left_id}-{self.right_id} {self.score:.2f}"


class ClusterRun(models.Model):
    """One clustering run and what it found."""

    full = models.BooleanField(default=False)
    members = models.IntegerField(default=0)
    clusters = models.IntegerField(default=0)
    changed = models.IntegerField(default=0)  # members that moved to another cluster
    linked_pairs = models.IntegerField(default=0)
    candidates = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("聚类运行")
        verbose_name_plural = _("聚类运行")

    def __str__(self) -> str:
        return f"#{self.pk} {self.started_at:%Y-%m-%d %H:%M}"
