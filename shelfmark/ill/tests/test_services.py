"""The ILL status machine through the services: a whole loan, refusals that change nothing, cancel and loss."""

from __future__ import annotations

from typing import Any

import pytest

from shelfmark.circulation import services as circulation
from shelfmark.circulation.errors import PatronBlocked
from shelfmark.circulation.models import Loan
from shelfmark.core.models import AuditEvent
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.ill import services
from shelfmark.ill.errors import InvalidRequest, NoCopyToLend, NotOurSide, TransitionNotAllowed
from shelfmark.ill.models import Request, RequestEvent, Status
from shelfmark.ill.tests.factories import DUE, Alliance, at
from shelfmark.notices.models import Notice
from shelfmark.patrons import services as patron_services

pytestmark = pytest.mark.django_db


def _requested(a: Alliance, **kw: Any) -> Request:
    request = services.request_item(
        requesting_library=a.borrower,
        patron=a.reader,
        record=a.record,
        actor=a.borrower_clerk,
        now=at("2025-03-01"),
        **kw,
    )
    return services.send_request(
        request=request, lender_library=a.lender, actor=a.borrower_clerk, now=at("2025-03-01", 11)
    )


def _shipped(a: Alliance) -> Request:
    request = _requested(a)
    services.accept(request=request, actor=a.lender_clerk, now=at("2025-03-02"))
    return services.ship(request=request, due_on=DUE, actor=a.lender_clerk, now=at("2025-03-02", 15))


def _snapshot(request: Request) -> tuple[Any, ...]:
    row = Request.objects.get(pk=request.pk)
    return (
        row.status,
        row.lent_item_id,
        row.borrowed_item_id,
        row.loan_id,
        row.lender_due_on,
        RequestEvent.objects.filter(request=row).count(),
        AuditEvent.objects.count(),
        Loan.objects.count(),
        Item.objects.count(),
        list(Item.objects.order_by("id").values_list("status", flat=True)),
    )


def test_a_whole_loan_between_two_libraries_of_the_network(alliance: Alliance) -> None:
    a = alliance
    # given a reader's request sent to 法库, which accepts and ships its copy due back on 30 April
    request = _shipped(a)
    a.copy.refresh_from_db()
    assert (request.status, request.lent_item_id, request.lender_due_on) == (Status.SHIPPED, a.copy.pk, DUE)
    assert a.copy.status == ItemStatus.IN_TRANSIT
    # when 康平镇 receives it
    request = services.receive(request=request, actor=a.borrower_clerk, now=at("2025-03-05"))
    # then a temporary copy of ours waits in processing at the borrowing library, and the reader is told
    item = request.borrowed_item
    assert item is not None
    assert (item.home_library_id, item.record_id, item.status) == (a.borrower.pk, a.record.pk, ItemStatus.IN_PROCESSING)
    assert item.barcode != a.copy.barcode
    notice = Notice.objects.get(reference=f"ill:{request.pk}:arrived")
    assert (notice.kind, notice.recipient) == ("ill_arrived", "reader@example.org")
    assert "您申请馆际互借的《东北亚古代交通史》已从法库县图书馆借到" in notice.body
    assert f"这本书须在 {DUE:%Y-%m-%d} 前归还（法库县图书馆规定的应还日期），不能续借。" in notice.body
    # when the reader collects it
    loan = services.check_out_to_reader(request=request, actor=a.borrower_clerk, now=at("2025-03-06"))
    # then it is a circulation loan due on the lender's date, not renewable past it
    assert (loan.item_id, loan.patron_id, loan.due_on, loan.max_renewals) == (item.pk, a.reader.pk, DUE, 0)
    assert Request.objects.get(pk=request.pk).status == Status.ON_LOAN
    # when the reader returns it at the desk and the library ships it back
    circulation.check_in(item=item, library=a.borrower, actor=a.borrower_clerk, now=at("2025-04-20"))
    request = services.return_item(request=request, actor=a.borrower_clerk, now=at("2025-04-21"))
    item.refresh_from_db()
    assert (request.status, item.status) == (Status.RETURNED, ItemStatus.WITHDRAWN)
    # and 法库 checks its copy in
    request = services.close(request=request, actor=a.lender_clerk, now=at("2025-04-24"))
    a.copy.refresh_from_db()
    assert (request.status, a.copy.status, a.copy.current_library_id) == (
        Status.CLOSED,
        ItemStatus.AVAILABLE,
        a.lender.pk,
    )
    # and every change was logged, timed, with its actor
    log = list(RequestEvent.objects.filter(request=request).values_list("from_status", "to_status", "actor__username"))
    assert log == [
        ("", "requested", "kp-desk"),
        ("requested", "requested", "kp-desk"),
        ("requested", "accepted", "fk-desk"),
        ("accepted", "shipped", "fk-desk"),
        ("shipped", "received", "kp-desk"),
        ("received", "on_loan", "kp-desk"),
        ("on_loan", "returned", "kp-desk"),
        ("returned", "closed", "fk-desk"),
    ]
    kinds = list(
        AuditEvent.objects.filter(kind__startswith="ill.request_").order_by("id").values_list("kind", flat=True)
    )
    assert kinds == [
        "ill.request_created",
        "ill.request_requested",
        "ill.request_accepted",
        "ill.request_shipped",
        "ill.request_received",
        "ill.request_on_loan",
        "ill.request_returned",
        "ill.request_closed",
    ]


def test_return_checks_in_a_copy_the_reader_still_has(alliance: Alliance) -> None:
    a = alliance
    request = services.receive(request=_shipped(alliance), actor=a.borrower_clerk, now=at("2025-03-05"))
    loan = services.check_out_to_reader(request=request, actor=a.borrower_clerk, now=at("2025-03-06"))
    # when the reader hands the copy to the ILL desk
    services.return_item(request=request, actor=a.borrower_clerk, now=at("2025-04-20"))
    # then the loan is closed through circulation
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert Request.objects.get(pk=request.pk).status == Status.RETURNED


@pytest.mark.parametrize(
    "step",
    ["ship", "receive", "check_out", "return", "close"],
)
def test_a_step_out_of_order_is_refused_and_changes_nothing(alliance: Alliance, step: str) -> None:
    a = alliance
    request = _requested(a)
    before = _snapshot(request)
    calls = {
        "ship": lambda: services.ship(request=request, due_on=DUE, actor=a.lender_clerk, now=at("2025-03-02")),
        "receive": lambda: services.receive(
            request=request, actor=a.borrower_clerk, lender_due_on=DUE, now=at("2025-03-02")
        ),
        "check_out": lambda: services.check_out_to_reader(
            request=request, actor=a.borrower_clerk, now=at("2025-03-02")
        ),
        "return": lambda: services.return_item(request=request, actor=a.borrower_clerk, now=at("2025-03-02")),
        "close": lambda: services.close(request=request, actor=a.lender_clerk, now=at("2025-03-02")),
    }
    with pytest.raises(TransitionNotAllowed) as refused:
        calls[step]()
    assert refused.value.field == "status"
    assert _snapshot(request) == before


def test_a_blocked_reader_cannot_collect_and_nothing_changes(alliance: Alliance) -> None:
    a = alliance
    request = services.receive(request=_shipped(a), actor=a.borrower_clerk, now=at("2025-03-05"))
    patron_services.add_block(patron=a.reader, reason="证件过期未核验", actor=a.borrower_clerk)
    before = _snapshot(request)
    with pytest.raises(PatronBlocked):
        services.check_out_to_reader(request=request, actor=a.borrower_clerk, now=at("2025-03-06"))
    assert _snapshot(request) == before
    assert Item.objects.get(ill_borrowed=request).status == ItemStatus.IN_PROCESSING


def test_accepting_without_a_copy_on_the_shelf_is_refused_and_changes_nothing(alliance: Alliance) -> None:
    a = alliance
    request = _requested(a)
    circulation.check_out(item=a.copy, patron=a.reader, library=a.lender, actor=a.lender_clerk, now=at("2025-03-01"))
    before = _snapshot(request)
    with pytest.raises(NoCopyToLend):
        services.accept(request=request, actor=a.lender_clerk, now=at("2025-03-02"))
    assert _snapshot(request) == before


def test_the_lender_side_steps_are_not_the_borrowers(alliance: Alliance) -> None:
    a = alliance
    request = services.request_item(
        requesting_library=a.borrower, title="未收藏的书", actor=a.borrower_clerk, now=at("2025-03-01")
    )
    before = _snapshot(request)
    # not yet sent: no lending side here
    with pytest.raises(NotOurSide):
        services.accept(request=request, actor=a.lender_clerk, now=at("2025-03-02"))
    assert _snapshot(request) == before


def test_a_refused_request_goes_on_to_the_next_lender(alliance: Alliance) -> None:
    a = alliance
    request = _requested(a)
    services.refuse(request=request, reason="馆藏修复中", actor=a.lender_clerk, now=at("2025-03-02"))
    assert Request.objects.get(pk=request.pk).status == Status.REFUSED
    request = services.send_request(
        request=request, lender_library=a.net.province, actor=a.borrower_clerk, now=at("2025-03-03")
    )
    assert (request.status, request.supplying_library_id, request.attempt) == (Status.REQUESTED, a.net.province.pk, 2)


def test_sending_twice_while_a_lender_has_it_is_refused(alliance: Alliance) -> None:
    a = alliance
    request = _requested(a)
    before = _snapshot(request)
    with pytest.raises(TransitionNotAllowed):
        services.send_request(
            request=request, lender_library=a.net.province, actor=a.borrower_clerk, now=at("2025-03-02")
        )
    assert _snapshot(request) == before


def test_cancel_before_shipping_but_not_after(alliance: Alliance) -> None:
    a = alliance
    first = _requested(a)
    services.cancel(request=first, reason="读者不再需要", actor=a.reader, now=at("2025-03-02"))
    assert Request.objects.get(pk=first.pk).status == Status.CANCELLED
    shipped = _shipped(a)
    before = _snapshot(shipped)
    with pytest.raises(TransitionNotAllowed):
        services.cancel(request=shipped, actor=a.borrower_clerk, now=at("2025-03-03"))
    assert _snapshot(shipped) == before


def test_a_copy_lost_by_the_reader_is_lost_on_both_sides(alliance: Alliance) -> None:
    a = alliance
    request = services.receive(request=_shipped(a), actor=a.borrower_clerk, now=at("2025-03-05"))
    loan = services.check_out_to_reader(request=request, actor=a.borrower_clerk, now=at("2025-03-06"))
    services.mark_lost(request=request, note="读者报失", actor=a.borrower_clerk, now=at("2025-04-01"))
    loan.refresh_from_db()
    a.copy.refresh_from_db()
    assert (Request.objects.get(pk=request.pk).status, loan.status, a.copy.status) == (
        Status.LOST,
        Loan.Status.LOST,
        ItemStatus.LOST,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": ""}, "title"), ({"title": "书", "isbn": "978-7-111"}, "isbn"), ({"title": "书", "year": -5}, "year")],
)
def test_a_bad_citation_names_its_field_and_saves_nothing(
    alliance: Alliance, fields: dict[str, Any], field: str
) -> None:
    a = alliance
    with pytest.raises(InvalidRequest) as refused:
        services.request_item(requesting_library=a.borrower, actor=a.borrower_clerk, now=at("2025-03-01"), **fields)
    assert refused.value.field == field
    assert Request.objects.count() == 0


def test_a_citation_takes_the_record_of_the_copy_the_lender_names(alliance: Alliance) -> None:
    a = alliance
    request = services.request_item(
        requesting_library=a.borrower,
        patron=a.reader,
        title="辽海丛书",
        author="金毓黻",
        isbn="7-80601-044-0",
        actor=a.borrower_clerk,
        now=at("2025-03-01"),
    )
    services.send_request(request=request, lender_library=a.lender, actor=a.borrower_clerk, now=at("2025-03-01"))
    # the lender finds its copy by barcode: there is no record to match
    services.accept(request=request, barcode=a.copy.barcode, actor=a.lender_clerk, now=at("2025-03-02"))
    services.ship(request=request, due_on=DUE, actor=a.lender_clerk, now=at("2025-03-02"))
    request = services.receive(request=request, actor=a.borrower_clerk, now=at("2025-03-05"))
    assert request.borrowed_item is not None
    assert request.isbn == "9787806010440"
    assert (request.record_id, request.borrowed_item.record_id) == (a.record.pk, a.record.pk)


def test_the_overdue_run_tells_the_reader_about_a_late_ill_loan(alliance: Alliance) -> None:
    a = alliance
    request = services.receive(request=_shipped(a), actor=a.borrower_clerk, now=at("2025-03-05"))
    services.check_out_to_reader(request=request, actor=a.borrower_clerk, now=at("2025-03-06"))
    run = circulation.process_overdues(now=at("2025-05-02"))
    assert (run.overdue_loans, run.notices) == (1, 1)
    assert Notice.objects.filter(kind="overdue", recipient="reader@example.org").count() == 1


def test_refusals_read_in_english_on_english_pages(alliance: Alliance) -> None:
    from django.utils import translation

    request = _requested(alliance)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        services.close(request=request, actor=alliance.lender_clerk)
    assert refused.value.message == f'ILL request {request.pk} is "Requested" and cannot become "Closed".'
