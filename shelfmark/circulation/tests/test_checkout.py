"""Check out: the loan, its due date and log; every refusal typed, nothing changed; overrides; idempotency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shelfmark.circulation import services
from shelfmark.circulation.errors import (
    DepositRequired,
    IdempotencyKeyReused,
    ItemAlreadyOnLoan,
    ItemNotAvailable,
    ItemNotLoanable,
    LoanLimitReached,
    OverrideNotAllowed,
    PatronBlocked,
)
from shelfmark.circulation.models import CirculationEvent, CirculationRule, Loan
from shelfmark.circulation.tests.conftest import at
from shelfmark.core.errors import PermissionDenied
from shelfmark.core.models import AuditEvent
from shelfmark.holdings.models import ItemStatus
from shelfmark.libraries import services as library_services
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.pseudonym import reader_key

pytestmark = pytest.mark.django_db


def _nothing_lent(item) -> None:
    item.refresh_from_db()
    assert item.status == ItemStatus.AVAILABLE
    assert not Loan.objects.filter(item=item).exists()
    assert not CirculationEvent.objects.filter(item=item, kind="check_out").exists()


def test_check_out_lends_the_item_until_the_next_open_day_and_logs_it_pseudonymously(desk):
    # given the county is closed on the 30th day after the loan
    library_services.add_closed_day(library=desk.net.county, day=date(2026, 3, 3), reason="维护", actor=None)
    reader, item = desk.reader(), desk.item()

    # when the desk lends the item on 1 February
    loan = services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-02-01"))

    # then it is due on 4 March (3 March is closed), the item is on loan there, and the log keys the reader by pseudonym
    assert loan.due_on == date(2026, 3, 4)
    assert (loan.patron, loan.status, loan.max_renewals, loan.fine_per_day) == (reader, "active", 1, Decimal("0.10"))
    item.refresh_from_db()
    assert (item.status, item.current_library) == (ItemStatus.ON_LOAN, desk.net.county)
    event = CirculationEvent.objects.get(kind="check_out")
    assert (event.reader_key, event.patron_category, event.item, event.record_id) == (
        reader_key(reader),
        "adult",
        item,
        item.record_id,
    )
    assert AuditEvent.objects.filter(kind="loan.created", object_id=str(loan.pk)).count() == 1


def test_an_expired_card_is_refused_with_the_reason_and_nothing_changes(desk):
    reader, item = desk.reader(expires_on=date(2026, 1, 1)), desk.item()

    with pytest.raises(PatronBlocked) as refused:
        services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-02-01"))

    assert refused.value.code == "patron_blocked"
    assert "2026-01-01" in refused.value.message
    _nothing_lent(item)


def test_an_overdue_loan_blocks_further_borrowing(desk):
    reader = desk.reader()
    services.check_out(item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-01-01"))
    second = desk.item()

    with pytest.raises(PatronBlocked) as refused:
        services.check_out(item=second, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-03-01"))

    assert "逾期" in refused.value.message
    _nothing_lent(second)


def test_the_loan_limit_counts_active_loans(desk):
    desk.network_rule.max_loans = 2
    desk.network_rule.save()
    reader = desk.reader()
    for _ in range(2):
        services.check_out(item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk)
    third = desk.item()

    with pytest.raises(LoanLimitReached) as refused:
        services.check_out(item=third, patron=reader, library=desk.net.county, actor=desk.clerk)

    assert refused.value.params == {"count": 2, "limit": 2}
    _nothing_lent(third)


def test_a_reference_copy_is_not_loanable_unless_overridden_with_a_reason(desk):
    CirculationRule.objects.create(item_type="reference", loanable=False, loan_days=0)
    reader, item = desk.reader(), desk.item(item_type="reference")

    with pytest.raises(ItemNotLoanable):
        services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)
    _nothing_lent(item)

    loan = services.check_out(
        item=item, patron=reader, library=desk.net.county, actor=desk.clerk, override_reason="馆长批准外借"
    )
    assert loan.override_reason == "馆长批准外借"
    audit = AuditEvent.objects.get(kind="loan.created")
    assert audit.data["overridden"] == ["item_not_loanable"]


def test_an_override_needs_the_permission_and_an_overridable_refusal(desk):
    CirculationRule.objects.create(item_type="reference", loanable=False, loan_days=0)
    reader, item = desk.reader(), desk.item(item_type="reference")

    with pytest.raises(PermissionDenied):
        services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.viewer, override_reason="x")
    _nothing_lent(item)

    other = desk.item()
    services.check_out(item=other, patron=desk.reader(), library=desk.net.county, actor=desk.clerk)
    with pytest.raises(OverrideNotAllowed):
        services.check_out(item=other, patron=reader, library=desk.net.county, actor=desk.clerk, override_reason="x")
    assert Loan.objects.filter(item=other).count() == 1


def test_two_desks_scanning_one_item_give_one_loan_and_a_clear_refusal(desk):
    item, first, second = desk.item(), desk.reader(), desk.reader()
    services.check_out(item=item, patron=first, library=desk.net.county, actor=desk.clerk)

    with pytest.raises(ItemAlreadyOnLoan) as refused:
        services.check_out(item=item, patron=second, library=desk.net.other_county, actor=desk.clerk)

    assert item.barcode in refused.value.message
    assert Loan.objects.filter(item=item).count() == 1


def test_a_missing_item_cannot_circulate(desk):
    reader, item = desk.reader(), desk.item(status=ItemStatus.MISSING)

    with pytest.raises(ItemNotAvailable):
        services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)

    assert not Loan.objects.exists()


def test_a_retry_with_the_same_key_returns_the_same_loan(desk):
    reader, item = desk.reader(), desk.item()

    first = services.check_out(
        item=item, patron=reader, library=desk.net.county, actor=desk.clerk, idempotency_key="k-1"
    )
    again = services.check_out(
        item=item, patron=reader, library=desk.net.county, actor=desk.clerk, idempotency_key="k-1"
    )

    assert again.pk == first.pk
    assert Loan.objects.count() == 1
    assert CirculationEvent.objects.filter(kind="check_out").count() == 1
    with pytest.raises(IdempotencyKeyReused):
        services.check_out(
            item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk, idempotency_key="k-1"
        )


def test_a_refused_request_leaves_its_key_free_for_the_retry(desk):
    reader, item = desk.reader(expires_on=date(2026, 1, 1)), desk.item()
    with pytest.raises(PatronBlocked):
        services.check_out(
            item=item,
            patron=reader,
            library=desk.net.county,
            actor=desk.clerk,
            idempotency_key="k-2",
            now=at("2026-02-01"),
        )
    patron_services.renew_card(patron=reader, actor=desk.clerk, expires_on=date(2027, 1, 1), now=at("2026-02-01"))

    loan = services.check_out(
        item=item, patron=reader, library=desk.net.county, actor=desk.clerk, idempotency_key="k-2", now=at("2026-02-01")
    )

    assert loan.status == "active"


def test_a_reader_with_poor_credit_borrows_against_a_deposit(desk):
    reader = desk.reader()
    for _ in range(3):
        patron_services.record_lost(patron=reader)
    reader.refresh_from_db()
    item = desk.item(price=Decimal("45.00"))

    with pytest.raises(DepositRequired) as refused:
        services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)
    assert refused.value.params == {"amount": Decimal("45.00")}
    _nothing_lent(item)

    patron_services.take_deposit(patron=reader, amount=Decimal("50.00"), actor=desk.clerk)
    loan = services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)
    assert loan.status == "active"


def test_check_out_runs_a_fixed_number_of_queries(desk, django_assert_max_num_queries):
    reader, item = desk.reader(), desk.item()

    with django_assert_max_num_queries(22):
        services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk)


def test_with_the_policy_cache_on_a_second_loan_reads_no_rule_or_calendar(
    desk, policy_cache, django_assert_num_queries
):
    reader = desk.reader()
    services.check_out(item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk)
    second = desk.item()

    # item and reader locks, one count of loans, overdues, blocks and bookings, loan, item status (update,
    # history), event, audit, and the test transaction's savepoint pair: no rule, calendar or library read
    with django_assert_num_queries(10):
        loan = services.check_out(item=second, patron=reader, library=desk.net.county, actor=desk.clerk)

    assert loan.rule == desk.network_rule
