"""Holdings test fixtures: the five-level network, its staff, and a holdings cataloguer per county."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.catalog.tests.web_fixtures import PASSWORD
from shelfmark.libraries.tests.factories import Network, make_network


@dataclass
class Staff:
    viewer: Any  # sees the whole network, edits nothing
    county: Any  # cataloguer at 康平县 (LN-SY-KP) and its townships
    other_county: Any  # cataloguer at 法库县 (LN-SY-FK)
    city: Any  # cataloguer at 沈阳市, which covers both counties
    circulation: Any  # circulation desk at the county: may look items up, not edit them
    superuser: Any


@pytest.fixture
def net() -> Network:
    return make_network()


@pytest.fixture
def staff(net: Network) -> Staff:
    def login(username: str, library: Any, roles: list[str], **extra: Any) -> Any:
        return accounts.create_staff(username=username, password=PASSWORD, library=library, roles=roles, **extra)

    return Staff(
        viewer=login("viewer", net.province, [Role.VIEWER]),
        county=login("kp", net.county, [Role.CATALOGUER]),
        other_county=login("fk", net.other_county, [Role.CATALOGUER]),
        city=login("sy", net.city, [Role.CATALOGUER]),
        circulation=login("desk", net.county, [Role.CIRCULATION]),
        superuser=login("root", net.province, [], is_superuser=True),
    )
