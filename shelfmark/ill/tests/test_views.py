"""Staff ILL pages: the permission matrix, and a whole loan between two libraries of the network by the pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.ill import services
from shelfmark.ill.models import Request, Status
from shelfmark.ill.tests.factories import Alliance

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _staff(a: Alliance) -> dict[str, Any]:
    return {
        "anonymous": None,
        "borrower_clerk": a.borrower_clerk,
        "lender_clerk": a.lender_clerk,
        "cataloguer": accounts.create_staff(
            username="cat", password="pw-123456", library=a.net.province, roles=[Role.CATALOGUER]
        ),
        "viewer": accounts.create_staff(
            username="look", password="pw-123456", library=a.net.province, roles=[Role.VIEWER]
        ),
        "admin": accounts.create_staff(
            username="boss", password="pw-123456", library=a.net.province, roles=[Role.ADMIN]
        ),
    }


# (who, borrowing queue, lending queue, accept as lender, receive as borrower): what each may open or do.
MATRIX = [
    ("anonymous", 302, 302, 302),
    ("borrower_clerk", 200, 403, 403),
    ("lender_clerk", 403, 200, 302),
    ("cataloguer", 403, 403, 403),
    ("viewer", 403, 403, 403),
    ("admin", 200, 200, 302),
]


@pytest.mark.parametrize(("who", "borrowing", "lending", "accept"), MATRIX)
def test_permission_matrix(alliance: Alliance, who: str, borrowing: int, lending: int, accept: int) -> None:
    a = alliance
    user = _staff(a)[who]
    request = services.request_item(requesting_library=a.borrower, patron=a.reader, record=a.record, actor=None)
    services.send_request(request=request, lender_library=a.lender, actor=None)
    client = _client(user)
    assert client.get(f"/staff/ill/libraries/{a.borrower.pk}/").status_code == borrowing
    assert client.get(f"/staff/ill/libraries/{a.lender.pk}/").status_code == lending
    answer = client.post(f"/staff/ill/requests/{request.pk}/accept/")
    assert answer.status_code == accept
    expected = Status.ACCEPTED if accept == 302 and who != "anonymous" else Status.REQUESTED
    assert Request.objects.get(pk=request.pk).status == expected


def test_a_borrowing_clerk_cannot_do_the_lenders_step(alliance: Alliance) -> None:
    a = alliance
    request = services.request_item(requesting_library=a.borrower, patron=a.reader, record=a.record, actor=None)
    services.send_request(request=request, lender_library=a.lender, actor=None)
    answer = _client(a.borrower_clerk).post(f"/staff/ill/requests/{request.pk}/accept/")
    assert answer.status_code == 403
    assert Request.objects.get(pk=request.pk).status == Status.REQUESTED


def test_a_loan_by_the_pages(alliance: Alliance) -> None:
    a = alliance
    borrower, lender = _client(a.borrower_clerk), _client(a.lender_clerk)
    # a request for the reader, by card
    answer = borrower.post(
        f"/staff/ill/libraries/{a.borrower.pk}/new/", {"card_number": a.reader.card_number, "record_id": a.record.pk}
    )
    assert answer.status_code == 302
    request = Request.objects.get()
    page = borrower.get(f"/staff/ill/requests/{request.pk}/")
    assert "法库县图书馆" in page.content.decode()  # suggested lender
    assert (
        borrower.post(f"/staff/ill/requests/{request.pk}/send/", {"lender": f"library:{a.lender.pk}"}).status_code
        == 302
    )
    assert lender.post(f"/staff/ill/requests/{request.pk}/accept/").status_code == 302
    refused = lender.post(f"/staff/ill/requests/{request.pk}/ship/", {"due_on": "yesterday"})
    assert refused.status_code == 422
    assert Request.objects.get().status == Status.ACCEPTED
    assert lender.post(f"/staff/ill/requests/{request.pk}/ship/", {"due_on": "2099-01-31"}).status_code == 302
    for step in ("receive", "check_out", "return"):
        assert borrower.post(f"/staff/ill/requests/{request.pk}/{step}/").status_code == 302, step
    assert lender.post(f"/staff/ill/requests/{request.pk}/close/").status_code == 302
    assert Request.objects.get().status == Status.CLOSED
