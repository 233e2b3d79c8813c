"""The daily run: overdue fines accrue to today under the loan's terms, notices go out once per stage."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from shelfmark.circulation import services
from shelfmark.circulation.tests.conftest import at
from shelfmark.fines.models import Charge
from shelfmark.notices.models import Notice

pytestmark = pytest.mark.django_db


def test_the_run_accrues_fines_and_sends_each_notice_stage_once(desk):
    reader = desk.reader(email="late@example.cn")
    item = desk.item()
    loan = services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-02-01"))
    assert loan.due_on.isoformat() == "2026-03-03"

    first = services.process_overdues(now=at("2026-03-05"))
    again = services.process_overdues(now=at("2026-03-05", 18))

    assert (first.overdue_loans, first.fines_updated, first.notices) == (1, 1, 1)
    assert again.notices == 0
    assert Charge.objects.get().amount == Decimal("0.20")
    notice = Notice.objects.get(kind="overdue")
    assert notice.recipient == "late@example.cn" and item.record.title in notice.body

    services.process_overdues(now=at("2026-03-12"))  # seven days late: the second notice, fine up to date
    assert Notice.objects.filter(kind="overdue").count() == 2
    assert Charge.objects.get().amount == Decimal("0.90")

    result = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-03-13"))
    assert result.fine == Decimal("1.00")
    assert Charge.objects.get().amount == Decimal("1.00")


def test_the_daily_command_reports_what_it_did(desk):
    out = StringIO()
    call_command("circulation_daily", stdout=out)
    assert out.getvalue().strip() == "holds expired: 0; overdue loans: 0; fines updated: 0; notices queued: 0"


def test_renewing_a_late_loan_charges_the_late_days_and_starts_a_new_period(desk):
    reader, item = desk.reader(), desk.item()
    loan = services.check_out(item=item, patron=reader, library=desk.net.county, actor=desk.clerk, now=at("2026-02-01"))
    services.process_overdues(now=at("2026-03-05"))

    renewed = services.renew(loan=loan, actor=desk.clerk, now=at("2026-03-08"))
    result = services.check_in(item=item, library=desk.net.county, actor=desk.clerk, now=at("2026-04-20"))

    assert renewed.due_on.isoformat() == "2026-04-07"
    charges = {c.source: c.amount for c in Charge.objects.all()}
    assert charges == {f"loan:{loan.pk}:0": Decimal("0.50"), f"loan:{loan.pk}:1": Decimal("1.30")}
    assert result.fine == Decimal("1.30")
