"""Interlibrary loan writes: ask, send to a lender, accept or refuse, ship, receive, lend to the reader, ship back,
close, cancel, lose; and the changes ISO 18626 messages from a partner make.

Every service locks the request, checks the status machine (rules.TRANSITIONS) before its first write, logs the
change as a RequestEvent and an audit event, and queues the ISO 18626 message for a partner to go after commit.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.catalog import services as catalog_services
from shelfmark.catalog.isbn import to_13
from shelfmark.catalog.models import Record
from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import Loan
from shelfmark.circulation.services.transit import open_transit
from shelfmark.core import events, rows
from shelfmark.core.jobs import enqueue_on_commit
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.ill import iso18626, rules, tasks
from shelfmark.ill.errors import (
    AlreadyRequested,
    CopyStillTravelling,
    InvalidRequest,
    NoCopyToLend,
    NotOurSide,
    ReaderBlocked,
    TransitionNotAllowed,
)
from shelfmark.ill.models import OutgoingMessage, Partner, Request, RequestEvent, Status
from shelfmark.libraries.models import Library, ServicePoint
from shelfmark.notices import services as notices
from shelfmark.notices.models import Channel
from shelfmark.patrons import selectors as patron_selectors
from shelfmark.patrons.models import Patron

__all__ = [
    "accept",
    "cancel",
    "check_out_to_reader",
    "close",
    "mark_lost",
    "receive",
    "refuse",
    "request_item",
    "return_item",
    "send_request",
    "ship",
]

# Days a reader has to collect an arrived copy, unless the lender wants it back sooner.
PICKUP_DAYS = 7


# --- identities -----------------------------------------------------------------------------------------------


def agency_id_type() -> str:
    """The agencyIdType our libraries use (SHELFMARK_ILL_AGENCY_ID_TYPE, default ISIL)."""
    return str(getattr(settings, "SHELFMARK_ILL_AGENCY_ID_TYPE", "ISIL"))


def agency_of(library: Library) -> iso18626.Agency:
    """Our library as an ISO 18626 agency: agency_id_type() and its network code."""
    return iso18626.Agency(agency_id_type(), library.code)


def partner_agency(partner: Partner) -> iso18626.Agency:
    return iso18626.Agency(partner.agency_id_type, partner.agency_id)


def borrower_request_id(request: Request) -> str:
    """The requestingAgencyRequestId of our borrowing request: its id and the attempt (one per lender asked)."""
    return f"{request.pk}-{request.attempt}"


# --- the status machine ------------------------------------------------------------------------------------------


def _lock(request: Request) -> Request:
    return Request.objects.select_for_update().get(pk=request.pk)


def _check_move(request: Request, target: str) -> None:
    if not rules.may_move(request.status, target):
        raise TransitionNotAllowed(
            field="status",
            request=request.pk,
            current=Status(request.status).label,
            target=Status(target).label,
        )


def _require_side(request: Request, *, lending: bool) -> None:
    ours = request.is_lending if lending else request.is_borrowing
    if not ours:
        side = _("借出馆") if lending else _("借入馆")
        raise NotOurSide(field="status", request=request.pk, side=side)


def _move(
    request: Request, target: str, *, actor: Any, note: str = "", now: datetime, fields: tuple[str, ...] = ()
) -> None:
    """Write the new status (and `fields` already set on the request), its log row and its audit event."""
    previous = request.status
    request.status = target
    request.status_changed_at = now
    rows.update(request, ["status", "status_changed_at", *fields])
    rows.insert(
        RequestEvent(
            request=request,
            from_status=previous,
            to_status=target,
            actor=events.staff_user(actor),
            note=note[:1000],
            at=now,
        )
    )
    data: dict[str, Any] = {"from": previous, "to": target}
    if note:
        data["note"] = note[:200]
    events.record(f"ill.request_{target}", actor=actor, target=request, data=data, now=now)


def _queue(request: Request, partner: Partner, kind: str, body: bytes, now: datetime) -> OutgoingMessage:
    """Keep the message and send it once the transaction commits (retried with backoff by the task)."""
    message = OutgoingMessage.objects.create(
        request=request, partner=partner, kind=kind, body=body.decode("utf-8"), created_at=now
    )
    enqueue_on_commit(tasks.deliver_message, message.pk)
    return message


def _tell_borrower(request: Request, *, reason: str, status: str, now: datetime, note: str = "") -> None:
    """As lender, tell a partner borrower what became of its request (nothing to send for our own libraries)."""
    partner = request.requesting_partner
    if partner is None:
        return
    assert request.supplying_library is not None
    body = iso18626.build_supplying_message(
        supplying=agency_of(request.supplying_library),
        requesting=partner_agency(partner),
        request_id=request.peer_request_id,
        supplying_request_id=str(request.pk),
        timestamp=now,
        reason=reason,
        status=status,
        due_on=request.lender_due_on,
        item_id=request.lender_barcode if status == "Loaned" else "",
        note=note,
        security_code=partner.security_code,
    )
    _queue(request, partner, "supplyingAgencyMessage", body, now)


def _tell_lender(request: Request, *, action: str, now: datetime, note: str = "") -> None:
    """As borrower, tell a partner lender what we did with its copy (nothing to send for our own libraries)."""
    partner = request.supplying_partner
    if partner is None:
        return
    assert request.requesting_library is not None
    body = iso18626.build_requesting_message(
        supplying=partner_agency(partner),
        requesting=agency_of(request.requesting_library),
        request_id=borrower_request_id(request),
        supplying_request_id=request.peer_request_id,
        timestamp=now,
        action=action,
        note=note,
        security_code=partner.security_code,
    )
    _queue(request, partner, "requestingAgencyMessage", body, now)


# --- borrowing side ----------------------------------------------------------------------------------------------


@transaction.atomic
def request_item(
    *,
    requesting_library: Library,
    actor: Any,
    patron: Patron | None = None,
    record: Record | None = None,
    title: str = "",
    author: str = "",
    isbn: str = "",
    publisher: str = "",
    year: int | None = None,
    pickup_library: Library | None = None,
    needed_by: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Request:
    """Ask for a title for a reader (or for the library): a catalogue record, or a citation we have no record of."""
    now = now or timezone.now()
    title = (title or "").strip()
    isbn_13 = ""
    if isbn.strip():
        isbn_13 = to_13(isbn)
        if not isbn_13:
            raise InvalidRequest(_("ISBN {isbn} 无效。").format(isbn=isbn.strip()), field="isbn")
    if record is not None:
        title = title or record.title
        author = author or (record.authors[0] if record.authors else record.responsibility)
        isbn_13 = isbn_13 or record.isbn
        publisher = publisher or record.publisher
        year = year or record.year
    if not title:
        raise InvalidRequest(_("请填写题名，或选择一条书目记录。"), field="title")
    if needed_by is not None and needed_by < timezone.localdate(now):
        raise InvalidRequest(_("需要日期 {date} 已过。").format(date=needed_by.isoformat()), field="needed_by")
    if year is not None and not 0 < year < 10000:
        raise InvalidRequest(_("出版年 {year} 无效。").format(year=year), field="year")
    if patron is not None and isinstance(actor, Patron) and actor.pk == patron.pk:
        _check_reader(patron, record=record, isbn_13=isbn_13, title=title, now=now)
    request = rows.insert(
        Request(
            requesting_library=requesting_library,
            patron=patron,
            record=record,
            title=title[:2000],
            author=(author or "")[:255],
            isbn=isbn_13,
            publisher=(publisher or "")[:255],
            year=year,
            pickup_library=pickup_library or requesting_library,
            needed_by=needed_by,
            note=note.strip(),
            status=Status.REQUESTED,
            created_at=now,
            status_changed_at=now,
        )
    )
    rows.insert(
        RequestEvent(
            request=request,
            from_status="",
            to_status=Status.REQUESTED,
            actor=events.staff_user(actor),
            note=note[:1000],
            at=now,
        )
    )
    events.record(
        "ill.request_created",
        actor=actor,
        target=request,
        data={"library": requesting_library.code, "title": title[:200], "patron": patron.pk if patron else None},
        now=now,
    )
    return request


def _check_reader(patron: Patron, *, record: Record | None, isbn_13: str, title: str, now: datetime) -> None:
    """Refuse a reader asking for themselves while blocked, or for a title they already asked for and which is
    still open (a double tap, or a forgotten request). Staff asking for a reader decide both at the desk."""
    patron = patron_selectors.lock_patron(patron.pk)
    blocks = patron_selectors.blocks(patron, now=now)
    if blocks:
        raise ReaderBlocked(reasons="; ".join(block.reason for block in blocks))
    open_requests = Request.objects.filter(patron=patron, status__in=rules.OPEN)
    if record is not None:
        same = open_requests.filter(record=record)
    elif isbn_13:
        same = open_requests.filter(isbn=isbn_13)
    else:
        same = open_requests.filter(record__isnull=True, isbn="", title=title[:2000])
    earlier = same.order_by("id").first()
    if earlier is not None:
        raise AlreadyRequested(title=earlier.title, request=earlier.pk)


@transaction.atomic
def send_request(
    *,
    request: Request,
    actor: Any,
    lender_library: Library | None = None,
    partner: Partner | None = None,
    supplier_record_id: str = "",
    now: datetime | None = None,
) -> Request:
    """Send the request to a lender: a library of this installation, or a partner by ISO 18626 (after a refusal
    too, to the next lender)."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=False)
    if (lender_library is None) == (partner is None):
        raise InvalidRequest(_("请选择一个借出馆。"), field="lender")
    if request.status == Status.REQUESTED and (request.supplying_library_id or request.supplying_partner_id):
        raise TransitionNotAllowed(
            field="status", request=request.pk, current=Status(request.status).label, target=Status.REQUESTED.label
        )
    _check_move(request, Status.REQUESTED)
    if lender_library is not None and lender_library.pk == request.requesting_library_id:
        raise InvalidRequest(_("借出馆不能是借入馆自己。"), field="lender")
    if partner is not None and not partner.is_active:
        raise InvalidRequest(_("合作馆 {name} 已停用。").format(name=partner.name), field="lender")
    request.supplying_library = lender_library
    request.supplying_partner = partner
    request.attempt += 1
    request.peer_request_id = ""
    name = lender_library.name if lender_library else partner.name if partner else ""
    _move(
        request,
        Status.REQUESTED,
        actor=actor,
        note=_("发往 {lender}").format(lender=name),
        now=now,
        fields=("supplying_library", "supplying_partner", "attempt", "peer_request_id"),
    )
    if partner is not None:
        assert request.requesting_library is not None
        body = iso18626.build_request(
            supplying=partner_agency(partner),
            requesting=agency_of(request.requesting_library),
            request_id=borrower_request_id(request),
            timestamp=now,
            title=request.title,
            author=request.author,
            isbn=request.isbn,
            publisher=request.publisher,
            year=request.year,
            supplier_record_id=supplier_record_id,
            needed_by=request.needed_by,
            note=request.note,
            pickup_name=request.pickup_library.name if request.pickup_library else "",
            security_code=partner.security_code,
        )
        _queue(request, partner, "request", body, now)
    return request


def _citation_record(request: Request, actor: Any) -> Record:
    """Catalogue the cited title briefly, so the lent copy can be an item (items need a record)."""
    fields: list[dict[str, Any]] = [{"001": f"ill-{request.pk}"}]
    if request.isbn:
        fields.append({"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": request.isbn}]}})
    if request.author:
        fields.append({"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": request.author}]}})
    fields.append({"245": {"ind1": "1" if request.author else "0", "ind2": "0", "subfields": [{"a": request.title}]}})
    if request.publisher or request.year:
        subfields = [{"b": request.publisher}] if request.publisher else []
        if request.year:
            subfields.append({"c": str(request.year)})
        fields.append({"260": {"ind1": " ", "ind2": " ", "subfields": subfields}})
    fields.append({"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": _("馆际互借借入")}]}})
    marc = {"leader": "00000nam a2200000 a 4500", "fields": fields}
    return catalog_services.create_record(
        marc=marc, marc_format="marc21", library=request.requesting_library, actor=actor
    )


@transaction.atomic
def receive(
    *,
    request: Request,
    actor: Any,
    lender_due_on: date | None = None,
    lender_barcode: str = "",
    now: datetime | None = None,
) -> Request:
    """Take in the lent copy at the borrowing library: a temporary item of ours, and a notice to the reader."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=False)
    _check_move(request, Status.RECEIVED)
    request.lender_due_on = lender_due_on or request.lender_due_on
    request.lender_barcode = (lender_barcode or request.lender_barcode).strip()[:64]
    if request.lender_due_on is None:
        raise InvalidRequest(_("请填写借出馆的应还日期。"), field="lender_due_on")
    assert request.requesting_library is not None
    record = request.record if request.record is not None else _citation_record(request, actor)
    item = item_services.create_item(
        record=record,
        home_library=request.requesting_library,
        actor=actor,
        call_number=_("馆际互借"),
        shelving_location=_("馆际互借 {lender}").format(lender=request.lender_name)[:100],
        status=ItemStatus.IN_PROCESSING,
        now=now,
    )
    request.record = record
    request.borrowed_item = item
    _move(
        request,
        Status.RECEIVED,
        actor=actor,
        note=_("本馆条码 {barcode}").format(barcode=item.barcode),
        now=now,
        fields=("lender_due_on", "lender_barcode", "record", "borrowed_item"),
    )
    _tell_lender(request, action="Received", now=now)
    if request.patron_id is not None:
        _notify_arrived(request, now=now)
    return request


def _notify_arrived(request: Request, *, now: datetime) -> None:
    """Tell the reader the copy waits at the pickup library, until when, and the lender's due date."""
    patron = request.patron
    assert patron is not None
    if patron.email:
        channel, to = Channel.EMAIL, patron.email
    elif patron.phone:
        channel, to = Channel.SMS, patron.phone
    else:
        return
    by = timezone.localdate(now) + timedelta(days=PICKUP_DAYS)
    if request.lender_due_on is not None:
        by = min(by, request.lender_due_on)
    pickup = request.pickup_library or request.requesting_library
    notices.notify(
        channel=channel,
        to=to,
        kind="ill_arrived",
        reference=f"ill:{request.pk}:arrived",
        context={
            "patron_name": patron.name,
            "library_name": patron.home_library.name,
            "title": request.title,
            "pickup_name": pickup.name if pickup else "",
            "lender_name": request.lender_name,
            "expires_on": by,
            "due_on": request.lender_due_on,
        },
        now=now,
    )


@transaction.atomic
def check_out_to_reader(
    *,
    request: Request,
    actor: Any,
    service_point: ServicePoint | None = None,
    override_reason: str = "",
    now: datetime | None = None,
) -> Loan:
    """Lend the arrived copy to the reader under the circulation rules (blocks, limits), due when the lender wants it."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=False)
    _check_move(request, Status.ON_LOAN)
    if request.patron_id is None or request.patron is None:
        raise InvalidRequest(_("这条互借请求没有读者。"), field="patron")
    item = request.borrowed_item
    assert item is not None and request.requesting_library is not None and request.lender_due_on is not None
    # The copy waits in processing so that no one else borrows it; circulation lends only what is on the shelf.
    item_services.change_status(
        item=item, status=ItemStatus.AVAILABLE, actor=actor, reason=_("馆际互借取书"), audit=False, now=now
    )
    loan = circulation.check_out(
        item=item,
        patron=request.patron,
        library=request.pickup_library or request.requesting_library,
        actor=actor,
        service_point=service_point,
        override_reason=override_reason,
        now=now,
    )
    # The lender's date, not the rule's; and no renewal past it (ADR 0008: check_out has no due date argument).
    loan.due_on = request.lender_due_on
    loan.max_renewals = 0
    rows.update(loan, ["due_on", "max_renewals"])
    events.record(
        "ill.loan_due_date_set",
        actor=actor,
        target=loan,
        data={"request": request.pk, "due_on": loan.due_on.isoformat()},
        now=now,
    )
    request.loan = loan
    _move(request, Status.ON_LOAN, actor=actor, now=now, fields=("loan",))
    return loan


@transaction.atomic
def return_item(*, request: Request, actor: Any, note: str = "", now: datetime | None = None) -> Request:
    """Ship the copy back to the lender: check it in first if the reader still has it, then retire our temporary item."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=False)
    _check_move(request, Status.RETURNED)
    item = request.borrowed_item
    assert item is not None and request.requesting_library is not None
    if request.loan_id is not None and Loan.objects.filter(pk=request.loan_id, status=Loan.Status.ACTIVE).exists():
        circulation.check_in(item=item, library=request.requesting_library, actor=actor, now=now)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if open_transit(item) is not None and item.current_library_id != request.requesting_library_id:
        raise CopyStillTravelling(field="status", barcode=item.barcode)
    if item.status not in (ItemStatus.AVAILABLE, ItemStatus.IN_PROCESSING, ItemStatus.IN_TRANSIT):
        raise InvalidRequest(
            _("单册 {barcode} 的状态是“{status}”，不能寄还。").format(
                barcode=item.barcode, status=item.get_status_display()
            ),
            field="status",
        )
    item_services.change_status(
        item=item,
        status=ItemStatus.WITHDRAWN,
        actor=actor,
        library=request.requesting_library,
        reason=_("馆际互借寄还借出馆"),
        now=now,
    )
    _move(request, Status.RETURNED, actor=actor, note=note, now=now)
    _tell_lender(request, action="ShippedReturn", now=now, note=note)
    return request


# --- lending side ------------------------------------------------------------------------------------------------


def _copy_to_lend(request: Request, barcode: str) -> Item:
    library = request.supplying_library
    assert library is not None
    copies = Item.objects.select_for_update().filter(
        status=ItemStatus.AVAILABLE, home_library__path__startswith=library.path
    )
    if barcode.strip():
        item = copies.filter(barcode=barcode.strip()).first()
    elif request.record_id is not None:
        item = copies.filter(record_id=request.record_id).order_by("id").first()
    else:
        item = None
    if item is None:
        raise NoCopyToLend(field="barcode", library=library.name, title=request.title)
    return item


@transaction.atomic
def accept(*, request: Request, actor: Any, barcode: str = "", now: datetime | None = None) -> Request:
    """As lender, agree to supply: the copy (given by barcode, else the first on our shelves) is named now."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=True)
    _check_move(request, Status.ACCEPTED)
    item = _copy_to_lend(request, barcode)
    request.lent_item = item
    request.lender_barcode = item.barcode
    if request.record_id is None:
        request.record_id = item.record_id
    _move(
        request,
        Status.ACCEPTED,
        actor=actor,
        note=_("单册 {barcode}").format(barcode=item.barcode),
        now=now,
        fields=("lent_item", "lender_barcode", "record"),
    )
    _tell_borrower(request, reason="RequestResponse", status="WillSupply", now=now)
    return request


@transaction.atomic
def refuse(*, request: Request, actor: Any, reason: str = "", now: datetime | None = None) -> Request:
    """As lender, decline the request; the borrower may send it on to another lender."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=True)
    _check_move(request, Status.REFUSED)
    _move(request, Status.REFUSED, actor=actor, note=reason, now=now)
    _tell_borrower(request, reason="RequestResponse", status="Unfilled", now=now, note=reason)
    return request


@transaction.atomic
def ship(*, request: Request, actor: Any, due_on: date, now: datetime | None = None) -> Request:
    """As lender, send the copy: it goes in transit from our shelves, due back to us on `due_on`."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=True)
    _check_move(request, Status.SHIPPED)
    if due_on <= timezone.localdate(now):
        raise InvalidRequest(_("应还日期 {date} 须在今天之后。").format(date=due_on.isoformat()), field="due_on")
    item = Item.objects.select_for_update().filter(pk=request.lent_item_id or 0).first()
    if item is None or item.status != ItemStatus.AVAILABLE:
        raise NoCopyToLend(
            field="barcode",
            library=request.supplying_library.name if request.supplying_library else "",
            title=request.title,
        )
    item_services.change_status(
        item=item,
        status=ItemStatus.IN_TRANSIT,
        actor=actor,
        reason=_("馆际互借借给 {borrower}").format(borrower=request.borrower_name)[:200],
        now=now,
    )
    request.lender_due_on = due_on
    _move(request, Status.SHIPPED, actor=actor, now=now, fields=("lender_due_on",))
    _tell_borrower(request, reason="StatusChange", status="Loaned", now=now)
    return request


@transaction.atomic
def close(*, request: Request, actor: Any, now: datetime | None = None) -> Request:
    """As lender, check the returned copy in: it goes back on our shelves and the loan between libraries ends."""
    now = now or timezone.now()
    request = _lock(request)
    _require_side(request, lending=True)
    _check_move(request, Status.CLOSED)
    if request.lent_item_id is not None:
        item = Item.objects.select_for_update().select_related("home_library").get(pk=request.lent_item_id)
        item_services.change_status(
            item=item,
            status=ItemStatus.AVAILABLE,
            actor=actor,
            library=item.home_library,
            reason=_("馆际互借归还"),
            now=now,
        )
    _move(request, Status.CLOSED, actor=actor, now=now)
    _tell_borrower(request, reason="StatusChange", status="LoanCompleted", now=now)
    return request


# --- either side -------------------------------------------------------------------------------------------------


@transaction.atomic
def cancel(*, request: Request, actor: Any, reason: str = "", now: datetime | None = None) -> Request:
    """Call the request off before the copy is shipped (the reader, the borrowing or the lending library)."""
    now = now or timezone.now()
    request = _lock(request)
    _check_move(request, Status.CANCELLED)
    _move(request, Status.CANCELLED, actor=actor, note=reason, now=now)
    if request.is_borrowing:
        _tell_lender(request, action="Cancel", now=now, note=reason)
    if request.is_lending:
        _tell_borrower(request, reason="CancelResponse", status="Cancelled", now=now, note=reason)
    return request


@transaction.atomic
def mark_lost(*, request: Request, actor: Any, note: str = "", now: datetime | None = None) -> Request:
    """Record that the copy is lost after it was shipped: the reader's loan (if any) is lost through circulation."""
    now = now or timezone.now()
    request = _lock(request)
    _check_move(request, Status.LOST)
    if request.is_borrowing and request.borrowed_item_id is not None:
        loan = Loan.objects.filter(pk=request.loan_id, status=Loan.Status.ACTIVE).first() if request.loan_id else None
        if loan is not None:
            circulation.mark_lost(loan=loan, actor=actor, library=request.requesting_library, now=now)
        else:
            item = Item.objects.select_for_update().get(pk=request.borrowed_item_id)
            if item.status != ItemStatus.WITHDRAWN:
                item_services.change_status(
                    item=item, status=ItemStatus.LOST, actor=actor, reason=_("馆际互借丢失"), now=now
                )
    if request.is_lending and request.lent_item_id is not None:
        item = Item.objects.select_for_update().get(pk=request.lent_item_id)
        item_services.change_status(item=item, status=ItemStatus.LOST, actor=actor, reason=_("馆际互借丢失"), now=now)
    _move(request, Status.LOST, actor=actor, note=note, now=now)
    if request.is_borrowing:
        _tell_lender(request, action="Notification", now=now, note=note or "Lost")
    if request.is_lending:
        _tell_borrower(request, reason="Notification", status="Loaned", now=now, note=note or "Lost")
    return request


# --- what partners tell us (ISO 18626), called by protocol.handle ------------------------------------------------


@transaction.atomic
def take_partner_request(
    *, partner: Partner, supplying_library: Library, message: iso18626.Message, now: datetime | None = None
) -> Request:
    """Record a partner's request to borrow from one of our libraries, matched to our record when we can."""
    now = now or timezone.now()
    record = None
    if message.supplier_record_id.isdigit():
        record = Record.objects.filter(pk=int(message.supplier_record_id)).first()
    isbn = to_13(message.isbn) if message.isbn else ""
    if record is None and isbn:
        record = Record.objects.filter(isbn=isbn).order_by("id").first()
    request = rows.insert(
        Request(
            requesting_partner=partner,
            supplying_library=supplying_library,
            record=record,
            title=(message.title or (record.title if record else message.isbn))[:2000],
            author=message.author[:255],
            isbn=isbn,
            publisher=message.publisher[:255],
            year=message.year,
            needed_by=message.needed_by,
            note=message.note,
            status=Status.REQUESTED,
            peer_request_id=message.requesting_request_id[:100],
            created_at=now,
            status_changed_at=now,
        )
    )
    rows.insert(
        RequestEvent(
            request=request,
            from_status="",
            to_status=Status.REQUESTED,
            note=_("来自 {partner}（ISO 18626）").format(partner=partner.name),
            at=now,
        )
    )
    events.record(
        "ill.request_received",
        target=request,
        data={
            "partner": partner.agency_id,
            "peer_request_id": request.peer_request_id,
            "library": supplying_library.code,
        },
        now=now,
    )
    return request


@transaction.atomic
def apply_lender_message(*, request: Request, message: iso18626.Message, now: datetime | None = None) -> Request:
    """As borrower, apply what a partner lender says: will supply, unfilled, loaned (with due date), completed."""
    now = now or timezone.now()
    request = _lock(request)
    target = rules.STATUS_FOR_ISO.get(message.status)
    note = " ".join(part for part in (f"ISO 18626 {message.reason}/{message.status}", message.note) if part)
    if message.supplying_request_id and not request.peer_request_id:
        request.peer_request_id = message.supplying_request_id[:100]
        rows.update(request, ["peer_request_id"])
    if target is None or target == request.status or message.reason == "Notification":
        rows.insert(
            RequestEvent(request=request, from_status=request.status, to_status=request.status, note=note, at=now)
        )
        return request
    if not rules.may_move(request.status, target):
        raise iso18626.MessageError(
            iso18626.UNRECOGNISED_VALUE,
            f"status {message.status}: request {message.requesting_request_id} is {request.status}",
            message=message,
        )
    fields: tuple[str, ...] = ()
    if target == Status.SHIPPED:
        request.lender_due_on = message.due_on
        request.lender_barcode = message.item_id[:64]
        fields = ("lender_due_on", "lender_barcode")
    _move(request, target, actor=None, note=note, now=now, fields=fields)
    return request


@transaction.atomic
def apply_borrower_message(*, request: Request, message: iso18626.Message, now: datetime | None = None) -> Request:
    """As lender, apply what a partner borrower says: received, shipped back, cancelled; notes are logged."""
    now = now or timezone.now()
    request = _lock(request)
    target = rules.SUPPORTED_ACTIONS[message.action]
    note = " ".join(part for part in (f"ISO 18626 {message.action}", message.note) if part)
    if target is None:
        rows.insert(
            RequestEvent(request=request, from_status=request.status, to_status=request.status, note=note, at=now)
        )
        if message.action == "StatusRequest":
            status = rules.ISO_STATUS_FOR.get(Status(request.status), "RequestReceived")
            _tell_borrower(request, reason="StatusRequestResponse", status=status, now=now)
        return request
    if not rules.may_move(request.status, target):
        raise iso18626.MessageError(
            iso18626.UNRECOGNISED_VALUE,
            f"action {message.action}: request {message.requesting_request_id} is {request.status}",
            message=message,
        )
    if target == Status.CANCELLED:
        return cancel(request=request, actor=None, reason=note, now=now)
    _move(request, target, actor=None, note=note, now=now)
    return request
