"""ILL test set-up: the test network with a circulation rule, a clerk at each end, a reader and copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation.models import CirculationRule
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.patrons.tests.factories import make_patron

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    """An aware moment on `day` (YYYY-MM-DD) in the libraries' time zone."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class Alliance:
    """The test network seen by ILL: the township borrows (康平镇分馆), the other county lends (法库县图书馆)."""

    net: Network
    borrower_clerk: Any  # circulation at the county 康平 (and its township)
    lender_clerk: Any  # circulation at the other county 法库
    reader: Any
    record: Any
    copy: Any  # on the shelf at 法库

    @property
    def borrower(self) -> Any:
        return self.net.township

    @property
    def lender(self) -> Any:
        return self.net.other_county


def make_alliance() -> Alliance:
    net = make_network()
    CirculationRule.objects.create(
        loan_days=30, max_loans=5, renewals=1, fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"), hold_shelf_days=3
    )
    borrower_clerk = accounts.create_staff(
        username="kp-desk", password="pw-123456", library=net.county, roles=[Role.CIRCULATION]
    )
    lender_clerk = accounts.create_staff(
        username="fk-desk", password="pw-123456", library=net.other_county, roles=[Role.CIRCULATION]
    )
    reader = make_patron(library=net.township, email="reader@example.org")
    record = make_record("东北亚古代交通史", control_number="ill-0001")
    copy = make_item(record, library=net.other_county, price=Decimal("40.00"))
    return Alliance(net, borrower_clerk, lender_clerk, reader, record, copy)


DUE = date(2025, 4, 30)
