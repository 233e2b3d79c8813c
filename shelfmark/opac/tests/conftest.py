"""Reader-page fixtures: the test network with one lending rule, a reader with a PIN, copies, and a logged-in client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import CirculationRule, Loan
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

PIN = "1234"


@dataclass
class Shelf:
    net: Network
    rule: CirculationRule

    def reader(self, **kw: Any) -> Patron:
        kw.setdefault("library", self.net.county)
        kw.setdefault("pin", PIN)
        return make_patron(**kw)

    def item(self, record: Any = None, **kw: Any) -> Any:
        kw.setdefault("library", self.net.county)
        kw.setdefault("price", Decimal("40.00"))
        return make_item(record, **kw)

    def record(self, title: str = "辽宁地方志研究") -> Any:
        return make_record(title)

    def lend(self, patron: Patron, item: Any = None, *, days_ago: int = 0) -> Loan:
        """Lend a copy (a fresh one by default) to the reader at the county, `days_ago` days ago."""
        when = timezone.now() - timedelta(days=days_ago)
        return circulation.check_out(
            item=item or self.item(), patron=patron, library=self.net.county, actor=None, now=when
        )


@pytest.fixture
def shelf(settings: Any) -> Shelf:
    settings.TIME_ZONE = "Asia/Shanghai"
    net = make_network()
    rule = CirculationRule.objects.create(
        loan_days=30, max_loans=5, renewals=1, fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"), hold_shelf_days=3
    )
    return Shelf(net=net, rule=rule)


def log_in(client: Client, patron: Patron, pin: str = PIN) -> None:
    """Log the reader in through the login page, as a browser would."""
    response = client.post("/account/login/", {"card": patron.card_number, "pin": pin})
    assert response.status_code == 303, response.content.decode()[:500]


@pytest.fixture
def reader(shelf: Shelf) -> Patron:
    return shelf.reader(name="张小书", phone="13800000000", email="zhang@example.cn")


@pytest.fixture
def reader_client(client: Client, reader: Patron) -> Client:
    log_in(client, reader)
    return client
