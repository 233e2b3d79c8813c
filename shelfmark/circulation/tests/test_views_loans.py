"""Reader panel actions: renew (one, all, overridden), lost, claims returned, pay and waive; forged ids change nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation import services
from shelfmark.circulation.models import Loan
from shelfmark.fines import services as fine_services
from shelfmark.fines.models import Charge, Payment, Waiver
from shelfmark.holdings.models import ItemStatus

pytestmark = pytest.mark.django_db


def _at_desk(user, library) -> Client:
    client = Client()
    client.force_login(user)
    assert client.post("/staff/circulation/", {"library": library.code}).status_code == 302
    return client


def _lend(desk, reader, *, days_ago: int = 0) -> Loan:
    now = timezone.now() - timedelta(days=days_ago)
    return services.check_out(item=desk.item(), patron=reader, library=desk.net.county, actor=desk.clerk, now=now)


def test_renew_moves_the_due_date_and_says_so_in_the_panel(desk):
    reader = desk.reader()
    loan = _lend(desk, reader, days_ago=10)
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(f"/staff/circulation/readers/{reader.pk}/renew/", {"loan": loan.pk}, HTTP_HX_REQUEST="true")

    renewed = Loan.objects.get(pk=loan.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="reader-panel"')
    assert (renewed.renewals, renewed.due_on) == (1, loan.due_on + timedelta(days=10))
    assert f"{loan.item.barcode} 已续借，应还日期 {renewed.due_on.isoformat()}。" in html


def test_a_refused_renewal_is_shown_beside_its_loan_with_an_override_field_and_the_override_renews(desk):
    # given a loan whose one renewal is used up
    reader = desk.reader()
    loan = _lend(desk, reader)
    services.renew(loan=loan, actor=desk.clerk)
    due = Loan.objects.get(pk=loan.pk).due_on
    client = _at_desk(desk.clerk, desk.net.county)
    url = f"/staff/circulation/readers/{reader.pk}/renew/"

    # when the clerk renews it, then renews again giving a reason
    refused = client.post(url, {"loan": loan.pk})
    overridden = client.post(url, {"loan": loan.pk, "override_reason": "读者住院"})

    # then the refusal sits in the loan's row with a reason field, nothing changed, and the override renews
    html = refused.content.decode()
    row = html[html.index(f'id="loan-{loan.pk}"') :]
    assert refused.status_code == 409
    assert row.index('name="override_reason"') < row.index("</tr>")
    assert row.index('class="error" role="alert"') < row.index("</tr>")
    assert overridden.status_code == 200
    assert Loan.objects.get(pk=loan.pk).renewals == 2
    assert Loan.objects.get(pk=loan.pk).due_on >= due


def test_renew_all_reports_each_loan(desk):
    reader = desk.reader()
    fresh, spent = _lend(desk, reader), _lend(desk, reader)
    services.renew(loan=spent, actor=desk.clerk)
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(f"/staff/circulation/readers/{reader.pk}/renew-all/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"{fresh.item.barcode} 已续借" in html
    assert f"{spent.item.barcode} 未续借" in html
    assert dict(Loan.objects.values_list("pk", "renewals")) == {fresh.pk: 1, spent.pk: 1}


@pytest.mark.parametrize("forged", ["abc", "-1", "", "1e3"])
def test_a_forged_loan_id_is_a_clear_error_and_changes_nothing(desk, forged):
    reader = desk.reader()
    loan = _lend(desk, reader)
    client = _at_desk(desk.clerk, desk.net.county)

    for action in ("renew", "lost", "claimed-returned"):
        response = client.post(f"/staff/circulation/readers/{reader.pk}/{action}/", {"loan": forged})

        assert response.status_code == 400
        assert "编号必须是正整数。" in response.content.decode() or "缺少编号。" in response.content.decode()
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.ACTIVE
    assert Loan.objects.get(pk=loan.pk).renewals == 0


def test_another_readers_loan_cannot_be_acted_on_from_this_reader(desk):
    reader, other = desk.reader(), desk.reader()
    theirs = _lend(desk, other)
    client = _at_desk(desk.clerk, desk.net.county)

    for action in ("renew", "lost", "claimed-returned"):
        response = client.post(f"/staff/circulation/readers/{reader.pk}/{action}/", {"loan": theirs.pk})

        assert response.status_code == 404
        assert f"该读者没有编号为 {theirs.pk} 的在借记录。" in response.content.decode()
    theirs.refresh_from_db()
    assert (theirs.status, theirs.renewals) == (Loan.Status.ACTIVE, 0)
    assert not Charge.objects.exists()


def test_lost_charges_the_reader_and_claims_returned_marks_the_copy_missing(desk):
    reader = desk.reader()
    lost, claimed = _lend(desk, reader), _lend(desk, reader)
    client = _at_desk(desk.clerk, desk.net.county)

    client.post(f"/staff/circulation/readers/{reader.pk}/lost/", {"loan": lost.pk})
    response = client.post(f"/staff/circulation/readers/{reader.pk}/claimed-returned/", {"loan": claimed.pk})

    assert response.status_code == 200
    assert dict(Loan.objects.values_list("pk", "status")) == {lost.pk: "lost", claimed.pk: "claimed_returned"}
    claimed.item.refresh_from_db()
    assert claimed.item.status == ItemStatus.MISSING
    assert Charge.objects.get().amount == Decimal("45.00")  # the copy's 40.00 and the 5.00 fee
    assert 'data-loans="0"' in response.content.decode()
    assert '<span class="owed">45.00</span>' in response.content.decode()


def _owing(desk, amount: str = "3.00"):
    reader = desk.reader()
    fine_services.add_charge(patron=reader, kind="manual", amount=amount, source="", actor=desk.clerk)
    return reader


def test_a_payment_settles_what_is_owed(desk):
    reader = _owing(desk, "3.00")
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(
        f"/staff/circulation/readers/{reader.pk}/pay/", {"amount": "3.00", "method": "wechat"}, HTTP_HX_REQUEST="true"
    )

    reader.refresh_from_db()
    assert response.status_code == 200
    assert reader.fines_owed == Decimal("0.00")
    assert Payment.objects.get().method == "wechat"
    assert "已收款 3.00 元" in response.content.decode()


@pytest.mark.parametrize(
    ("fields", "status", "code_or_text"),
    [
        ({"amount": "5.00", "method": "cash"}, 409, "3.00"),  # more than owed: nothing taken
        ({"amount": "abc", "method": "cash"}, 422, "abc"),  # the fines service names the bad amount
        ({"amount": "1.00", "method": "gold"}, 400, "gold"),
    ],
)
def test_a_refused_payment_is_shown_beside_the_pay_form_and_takes_nothing(desk, fields, status, code_or_text):
    reader = _owing(desk, "3.00")
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(f"/staff/circulation/readers/{reader.pk}/pay/", fields)

    html = response.content.decode()
    assert response.status_code == status
    assert 'id="pay-errors"' in html and code_or_text in html[html.index('id="pay-errors"') :]
    reader.refresh_from_db()
    assert reader.fines_owed == Decimal("3.00")
    assert not Payment.objects.exists()


def test_a_waiver_needs_a_reason_and_forgives_the_charge(desk):
    reader = _owing(desk, "3.00")
    charge = Charge.objects.get()
    client = _at_desk(desk.clerk, desk.net.county)
    url = f"/staff/circulation/readers/{reader.pk}/waive/"

    without = client.post(url, {"charge": charge.pk, "reason": "  "})
    forged = client.post(url, {"charge": "x1", "reason": "好"})
    waived = client.post(url, {"charge": charge.pk, "reason": "系统故障多计"})

    assert without.status_code == 400 and forged.status_code == 400
    assert "编号必须是正整数。" in forged.content.decode()
    assert waived.status_code == 200
    assert Waiver.objects.get().reason == "系统故障多计"
    reader.refresh_from_db()
    assert reader.fines_owed == Decimal("0.00")


def test_a_charge_of_another_reader_cannot_be_waived_from_this_reader(desk):
    reader, other = desk.reader(), _owing(desk, "2.00")
    charge = Charge.objects.get()
    client = _at_desk(desk.clerk, desk.net.county)

    response = client.post(f"/staff/circulation/readers/{reader.pk}/waive/", {"charge": charge.pk, "reason": "试试"})

    assert response.status_code == 400
    assert f"费用 {charge.pk} 不属于该读者。" in response.content.decode()
    assert not Waiver.objects.exists()
    other.refresh_from_db()
    assert other.fines_owed == Decimal("2.00")


def test_waiving_needs_patron_edit_at_the_readers_home_library(desk):
    # given a reader of the county, and a clerk whose grant covers only the other county
    reader = _owing(desk, "2.00")
    charge = Charge.objects.get()
    elsewhere = accounts.create_staff(
        username="fk", password="pw-123456", library=desk.net.other_county, roles=[Role.CIRCULATION]
    )
    client = _at_desk(elsewhere, desk.net.other_county)

    # when they open the reader and try to waive the charge
    page = client.get(f"/staff/circulation/readers/{reader.pk}/").content.decode()
    response = client.post(f"/staff/circulation/readers/{reader.pk}/waive/", {"charge": charge.pk, "reason": "试试"})

    # then no waive form is offered and the forged post is refused, nothing waived; they may still take payment
    assert f'name="charge" value="{charge.pk}"' not in page
    assert response.status_code == 403
    assert not Waiver.objects.exists()
    paid = client.post(f"/staff/circulation/readers/{reader.pk}/pay/", {"amount": "2.00", "method": "cash"})
    assert paid.status_code == 200 and Payment.objects.count() == 1
