"""Interlibrary loan (馆际互借): requests between a borrowing and a lending library, their status log, partners.

One `Request` row is one side of a loan between two agencies. When both libraries are on this installation the
single row carries both sides (`requesting_library` and `supplying_library` set). When the other side is another
installation (a `Partner`, reached by ISO 18626 over HTTP) each installation keeps its own row and the two are
linked by the ISO 18626 request ids.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import Record
from shelfmark.libraries.models import Library


class Status(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    ACCEPTED = "accepted", _("已接受")
    REFUSED = "refused", _("已拒绝")
    SHIPPED = "shipped", _("已寄出")
    RECEIVED = "received", _("已到馆")
    ON_LOAN = "on_loan", _("读者借阅中")
    RETURNED = "returned", _("已寄还")
    CLOSED = "closed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    LOST = "lost", _("丢失")


class Partner(models.Model):
    """Another installation's library we lend to or borrow from, reached at its ISO 18626 endpoint."""

    agency_id_type = models.CharField(_("机构标识类型"), max_length=16, default="ISIL")
    agency_id = models.CharField(_("机构标识"), max_length=64)
    name = models.CharField(_("名称"), max_length=200)
    endpoint_url = models.URLField(_("ISO 18626 地址"), max_length=500)
    # The node of our network tree that stands for this library, when the tree has one (a union-catalogue member).
    library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.SET_NULL, related_name="ill_partners", verbose_name=_("成员馆")
    )
    # Shared secret both sides put in requestingAgencyAuthentication/securityCode; empty means none is asked.
    security_code = models.CharField(_("安全码"), max_length=100, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("互借合作馆")
        verbose_name_plural = _("互借合作馆")
        constraints = [
            models.UniqueConstraint(fields=["agency_id_type", "agency_id"], name="ill_partner_agency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency_id_type}:{self.agency_id})"


class Request(models.Model):
    """One interlibrary loan of one title, as this installation sees it (borrowing side, lending side or both)."""

    # Borrowing side: a library of ours, or a partner that asked us.
    requesting_library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.PROTECT, related_name="ill_borrowing", verbose_name=_("借入馆")
    )
    requesting_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_to_us",
        verbose_name=_("借入馆"),
    )
    # Lending side: a library of ours, or a partner we asked; neither until the request is sent.
    supplying_library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.PROTECT, related_name="ill_lending", verbose_name=_("借出馆")
    )
    supplying_partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests_from_us",
        verbose_name=_("借出馆"),
    )
    patron = models.ForeignKey(
        "patrons.Patron",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ill_requests",
        verbose_name=_("读者"),
    )
    record = models.ForeignKey(
        Record,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ill_requests",
        verbose_name=_("书目记录"),
    )
    # The citation as asked, kept even when a record is known: it is what travels in ISO 18626 messages.
    title = models.TextField(_("题名"))
    author = models.CharField(_("责任者"), max_length=255, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    publisher = models.CharField(_("出版者"), max_length=255, blank=True)
    year = models.IntegerField(_("出版年"), null=True, blank=True)
    pickup_library = models.ForeignKey(
        Library, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("取书馆")
    )
    needed_by = models.DateField(_("需要日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    # Each time the borrower sends the request to a (next) lender: part of the ISO 18626 request id.
    attempt = models.PositiveSmallIntegerField(default=0)
    # The other installation's id for this loan: its requestingAgencyRequestId when it asked us, else the
    # supplyingAgencyRequestId it gave us.
    peer_request_id = models.CharField(max_length=100, blank=True)
    lender_due_on = models.DateField(_("借出馆应还日期"), null=True, blank=True)
    lender_barcode = models.CharField(_("借出馆条码"), max_length=64, blank=True)
    # Lending side: our copy that went out. Borrowing side: the temporary copy made when it arrived.
    lent_item = models.ForeignKey(
        "holdings.Item",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ill_lent",
        verbose_name=_("借出单册"),
    )
    borrowed_item = models.ForeignKey(
        "holdings.Item",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ill_borrowed",
        verbose_name=_("借入单册"),
    )
    loan = models.ForeignKey(
        "circulation.Loan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("读者借阅"),
    )
    created_at = models.DateTimeField(_("申请时间"))
    status_changed_at = models.DateTimeField(_("状态变更时间"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("馆际互借请求")
        verbose_name_plural = _("馆际互借请求")
        indexes = [
            models.Index(fields=["requesting_library", "status"], name="ill_request_borrower_status"),
            models.Index(fields=["supplying_library", "status"], name="ill_request_lender_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(requesting_library__isnull=False) | Q(requesting_partner__isnull=False),
                name="ill_request_has_borrower",
            ),
            models.CheckConstraint(
                condition=Q(supplying_library__isnull=True) | Q(supplying_partner__isnull=True),
                name="ill_request_one_lender",
            ),
            models.UniqueConstraint(
                fields=["requesting_partner", "peer_request_id"],
                condition=Q(requesting_partner__isnull=False),
                name="ill_request_partner_id_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"ILL {self.pk} {self.title} ({self.status})"

    @property
    def is_borrowing(self) -> bool:
        """This installation is the borrower (one of our libraries asked)."""
        return self.requesting_library_id is not None

    @property
    def is_lending(self) -> bool:
        """This installation is the lender (one of our libraries supplies)."""
        return self.supplying_library_id is not None

    @property
    def lender_name(self) -> str:
        lender = self.supplying_library or self.supplying_partner
        return lender.name if lender is not None else ""

    @property
    def borrower_name(self) -> str:
        borrower = self.requesting_library or self.requesting_partner
        return borrower.name if borrower is not None else ""


class RequestEvent(models.Model):
    """One change of a request's status: from what, to what, by whom, why and when; appended, never edited."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("互借状态变更")
        verbose_name_plural = _("互借状态变更")

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class OutgoingMessage(models.Model):
    """An ISO 18626 message to a partner: kept until the partner confirms it, retried with backoff meanwhile."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已确认")
        REJECTED = "rejected", _("对方报错")
        FAILED = "failed", _("发送失败")

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="messages")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32)  # request, supplyingAgencyMessage, requestingAgencyMessage
    body = models.TextField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ISO 18626 消息")
        verbose_name_plural = _("ISO 18626 消息")

    def __str__(self) -> str:
        return f"{self.kind} → {self.partner_id} ({self.state})"
