"""Circulation fixtures: the network with rules, a desk login, readers and copies made through their services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.circulation.models import CirculationRule
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.patrons.tests.factories import make_patron

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> datetime:
    """Return an aware moment on `day` (YYYY-MM-DD) in the library's time zone."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@dataclass
class Desk:
    net: Network
    clerk: Any  # circulation role at the city: every desk of 沈阳 and its counties
    viewer: Any  # may look, may not lend or override
    network_rule: CirculationRule

    def reader(self, **kw: Any) -> Any:
        kw.setdefault("library", self.net.county)
        return make_patron(**kw)

    def item(self, record: Any = None, **kw: Any) -> Any:
        kw.setdefault("library", self.net.county)
        kw.setdefault("price", Decimal("40.00"))
        return make_item(record, **kw)

    def record(self, title: str = "辽宁地方志研究") -> Any:
        return make_record(title)


@pytest.fixture
def desk(settings: Any) -> Desk:
    settings.TIME_ZONE = "Asia/Shanghai"
    net = make_network()
    clerk = accounts.create_staff(username="clerk", password="pw-123456", library=net.city, roles=[Role.CIRCULATION])
    viewer = accounts.create_staff(username="look", password="pw-123456", library=net.city, roles=[Role.VIEWER])
    rule = CirculationRule.objects.create(
        loan_days=30, max_loans=5, renewals=1, fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"), hold_shelf_days=3
    )
    return Desk(net=net, clerk=clerk, viewer=viewer, network_rule=rule)
