"""Two installations lend to each other over ISO 18626: this test's live server (康平, the borrower) and a second
Shelfmark served by gunicorn from its own SQLite database (大连, the lender), driven through its staff pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings

from shelfmark.circulation import services as circulation
from shelfmark.ill import services
from shelfmark.ill.models import OutgoingMessage, Partner, Request, Status
from shelfmark.ill.tests.factories import Alliance, make_alliance
from shelfmark.union_catalog.tests.installation import Installation

# Every app available, so that the flush after the test truncates with CASCADE: on PostgreSQL the catalogue's
# search tables (outside the ORM) reference catalog_record.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))

ISBN = "9787806010440"
DUE = date(2099, 6, 30)

_SEED = """
from shelfmark.accounts import services as accounts
from shelfmark.catalog import services as catalog
from shelfmark.holdings import services as holdings
from shelfmark.ill.models import Partner
from shelfmark.libraries import services as libraries

city = libraries.create_library(code="DL", name="大连市图书馆", level="city")
marc = {{"leader": "00000nam a2200000 a 4500", "fields": [
    {{"001": "dl-0001"}},
    {{"020": {{"ind1": " ", "ind2": " ", "subfields": [{{"a": {isbn!r}}}]}}}},
    {{"245": {{"ind1": "0", "ind2": "0", "subfields": [{{"a": "辽海丛书"}}]}}}},
]}}
record = catalog.create_record(marc=marc, marc_format="marc21", library=city, actor=None)
holdings.create_item(record=record, home_library=city, actor=None, barcode="DL0000001")
accounts.create_staff(username="dl-desk", password="pw-123456", library=city, roles=["circulation"])
Partner.objects.create(agency_id_type="ISIL", agency_id={borrower!r}, name="康平镇分馆", endpoint_url={endpoint!r})
"""

_STATE = """
import json
from shelfmark.ill.models import Request
from shelfmark.holdings.models import Item
request = Request.objects.get()
print(json.dumps({"id": request.pk, "status": request.status, "peer": request.peer_request_id,
                  "item": Item.objects.get(barcode="DL0000001").status,
                  "log": list(request.events.values_list("to_status", flat=True))}))
"""


@pytest.fixture
def dalian(tmp_path: Path, live_server: Any) -> Iterator[Installation]:
    """The lender's installation, migrated and seeded, served on a free port; stopped afterwards."""
    installation = Installation(tmp_path / "dalian")
    installation.root.mkdir()
    installation.command("migrate", "-v0")
    installation.python(_SEED.format(isbn=ISBN, borrower="LN-SY-KP-01", endpoint=f"{live_server.url}/ill/iso18626"))
    installation.start()
    yield installation
    installation.stop()


def _state(installation: Installation) -> dict[str, Any]:
    return dict(json.loads(installation.python(_STATE).strip().splitlines()[-1]))


class Staff:
    """A clerk of the second installation using its staff pages over HTTP."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.session = requests.Session()
        page = self.session.get(f"{base}/staff/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None
        answer = self.session.post(
            f"{base}/staff/login/",
            data={"username": username, "password": "pw-123456", "csrfmiddlewaretoken": token.group(1)},
            timeout=30,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[-2000:]

    def act(self, request_id: int, action: str, **data: str) -> None:
        answer = self.session.post(
            f"{self.base}/staff/ill/requests/{request_id}/{action}/",
            data=data,
            headers={"X-CSRFToken": str(self.session.cookies.get("csrftoken"))},
            timeout=60,
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[-3000:]


def test_a_loan_between_two_installations(live_server: Any, dalian: Installation) -> None:
    a: Alliance = make_alliance()
    partner = Partner.objects.create(
        agency_id_type="ISIL",
        agency_id="DL",
        name="大连市图书馆",
        endpoint_url=f"http://127.0.0.1:{dalian.port}/ill/iso18626",
    )
    base = f"http://127.0.0.1:{dalian.port}"
    # given a reader of 康平镇 asks for a title the network does not have, sent to 大连 by ISO 18626
    request = services.request_item(
        requesting_library=a.borrower, patron=a.reader, title="辽海丛书", isbn=ISBN, actor=a.borrower_clerk
    )
    services.send_request(request=request, partner=partner, actor=a.borrower_clerk)
    assert list(OutgoingMessage.objects.values_list("kind", "state")) == [("request", "sent")]
    lent = _state(dalian)
    assert (lent["status"], lent["peer"]) == ("requested", f"{request.pk}-1")
    # when 大连 accepts and ships it through its staff pages
    clerk = Staff(base, "dl-desk")
    clerk.act(lent["id"], "accept")
    clerk.act(lent["id"], "ship", due_on=DUE.isoformat())
    # then 康平镇 hears both, with the lender's due date and barcode
    request.refresh_from_db()
    assert (request.status, request.lender_due_on, request.lender_barcode, request.peer_request_id) == (
        Status.SHIPPED,
        DUE,
        "DL0000001",
        str(lent["id"]),
    )
    assert _state(dalian)["item"] == "in_transit"
    # when 康平镇 receives it, lends it to the reader, takes it back and ships it back
    request = services.receive(request=request, actor=a.borrower_clerk)
    loan = services.check_out_to_reader(request=request, actor=a.borrower_clerk)
    assert loan.due_on == DUE
    assert request.borrowed_item is not None
    circulation.check_in(item=request.borrowed_item, library=a.borrower, actor=a.borrower_clerk)
    services.return_item(request=request, actor=a.borrower_clerk)
    assert _state(dalian)["status"] == "returned"
    # and 大连 checks its copy in
    clerk.act(lent["id"], "close")
    # then both sides are closed, and every message was confirmed
    request.refresh_from_db()
    assert request.status == Status.CLOSED
    lender = _state(dalian)
    assert (lender["status"], lender["item"]) == ("closed", "available")
    assert lender["log"] == ["requested", "accepted", "shipped", "received", "returned", "closed"]
    assert list(Request.objects.get(pk=request.pk).events.values_list("to_status", flat=True)) == [
        "requested",
        "requested",
        "accepted",
        "shipped",
        "received",
        "on_loan",
        "returned",
        "closed",
    ]
    assert list(OutgoingMessage.objects.order_by("id").values_list("kind", "state")) == [
        ("request", "sent"),
        ("requestingAgencyMessage", "sent"),  # Received
        ("requestingAgencyMessage", "sent"),  # ShippedReturn
    ]
