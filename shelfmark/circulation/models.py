"""Circulation data: the policy matrix, loans, holds (约书), transits, the event log and idempotency keys."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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


class Loan(models.Model):
    """One item lent to one reader; pseudonymised (patron cleared, reader_key kept) after return unless opted in."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("在借")
        RETURNED = "returned", _("已还")
        LOST = "lost", _("丢失")
        CLAIMED_RETURNED = "claimed_returned", _("声称已还")

    item = models.ForeignKey("holdings.Item", on_delete=models.PROTECT, related_name="loans")
    patron = models.ForeignKey("patrons.Patron", on_delete=models.SET_NULL, null=True, blank=True, related_name="loans")
    reader_key = models.CharField(max_length=64, db_index=True)
    patron_category = models.CharField(max_length=20)
    library = models.ForeignKey("libraries.Library", on_delete=models.PROTECT, related_name="+")
    service_point = models.ForeignKey(
        "libraries.ServicePoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    checked_out_at = models.DateTimeField()
    due_on = models.DateField()
    renewals = models.PositiveSmallIntegerField(default=0)
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_library = models.ForeignKey(
        "libraries.Library", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The terms of the rule that applied at check-out: later edits of the rule do not change a running loan.
    rule = models.ForeignKey(CirculationRule, on_delete=models.SET_NULL, null=True, blank=True)
    max_renewals = models.PositiveSmallIntegerField(default=0)
    loan_days = models.PositiveSmallIntegerField(default=30)
    fine_per_day = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    fine_cap = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    grace_days = models.PositiveSmallIntegerField(default=0)
    override_reason = models.CharField(max_length=200, blank=True)
    overdue_notices = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(status="active"), name="one_active_loan_per_item"),
        ]
        indexes = [
            models.Index(fields=["patron", "status"], name="loan_patron_status"),
            models.Index(fields=["status", "due_on"], name="loan_status_due"),
        ]

    def __str__(self) -> str:
        return f"loan {self.pk} of item {self.item_id}"

    @property
    def fine_source(self) -> str:
        """Name the overdue charge of the current loan period; a renewal of a late loan starts a new period."""
        return f"loan:{self.pk}:{self.renewals}"


class Hold(models.Model):
    """A booking (约书) of a title or of one item, collected at a pickup library or delivered home."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("排队中")
        IN_TRANSIT = "in_transit", _("在途")
        READY = "ready", _("待取")
        FULFILLED = "fulfilled", _("已借出")
        CANCELLED = "cancelled", _("已取消")
        EXPIRED = "expired", _("已过期")

    ACTIVE = (Status.WAITING, Status.IN_TRANSIT, Status.READY)

    patron = models.ForeignKey("patrons.Patron", on_delete=models.CASCADE, related_name="holds")
    record = models.ForeignKey("catalog.Record", on_delete=models.CASCADE, related_name="holds")
    item = models.ForeignKey(
        "holdings.Item", on_delete=models.CASCADE, null=True, blank=True, related_name="item_holds"
    )
    pickup_library = models.ForeignKey("libraries.Library", on_delete=models.PROTECT, related_name="+")
    home_delivery = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    placed_at = models.DateTimeField()
    trapped_item = models.ForeignKey(
        "holdings.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="trapped_holds"
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patron", "record"],
                condition=Q(status__in=["waiting", "in_transit", "ready"]),
                name="one_active_hold_per_patron_record",
            ),
        ]
        indexes = [
            models.Index(fields=["record", "status", "placed_at"], name="hold_queue"),
            models.Index(fields=["pickup_library", "status"], name="hold_pickup_status"),
            models.Index(fields=["status", "expires_on"], name="hold_shelf_expiry"),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk} on record {self.record_id}"


class Transit(models.Model):
    """An item travelling between libraries of the network: back home, or to a pickup library for a hold."""

    class Reason(models.TextChoices):
        RETURN_HOME = "return_home", _("还回所属馆")
        HOLD = "hold", _("预约取书")

    item = models.ForeignKey("holdings.Item", on_delete=models.PROTECT, related_name="transits")
    from_library = models.ForeignKey("libraries.Library", on_delete=models.PROTECT, related_name="+")
    to_library = models.ForeignKey("libraries.Library", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    hold = models.ForeignKey(Hold, on_delete=models.SET_NULL, null=True, blank=True, related_name="transits")
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(received_at__isnull=True), name="one_open_transit_per_item"
            ),
        ]
        indexes = [models.Index(fields=["to_library", "received_at"], name="transit_destination")]

    def __str__(self) -> str:
        return f"transit of item {self.item_id} to {self.to_library_id}"


class CirculationEvent(models.Model):
    """Append-only log of what circulated, keyed by a pseudonymous reader key, for analytics and recommendations."""

    class Kind(models.TextChoices):
        CHECK_OUT = "check_out", _("借出")
        CHECK_IN = "check_in", _("还回")
        RENEW = "renew", _("续借")
        HOLD_PLACED = "hold_placed", _("预约")
        HOLD_TRAPPED = "hold_trapped", _("预约到书")
        HOLD_CANCELLED = "hold_cancelled", _("取消预约")
        HOLD_EXPIRED = "hold_expired", _("预约过期")
        LOST = "lost", _("丢失")
        CLAIMED_RETURNED = "claimed_returned", _("声称已还")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    reader_key = models.CharField(max_length=64, db_index=True)
    patron_category = models.CharField(max_length=20)
    item = models.ForeignKey("holdings.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    record = models.ForeignKey("catalog.Record", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    library = models.ForeignKey("libraries.Library", on_delete=models.PROTECT, related_name="+")
    item_type = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "at"], name="circ_event_kind_at")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """The answer to a request a client may retry (a kiosk after a timeout): same key, same answer, done once."""

    key = models.CharField(max_length=100, unique=True)
    operation = models.CharField(max_length=30)
    request_digest = models.CharField(max_length=64)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    def __str__(self) -> str:
        return self.key
