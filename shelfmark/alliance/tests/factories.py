"""Alliance tests' network and staff: one login per boundary of the alliance permission matrix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import override_settings

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.alliance.models import Region
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Level, Library
from shelfmark.libraries.tests.factories import Network, make_network

PASSWORD = "pw-123456"


@dataclass
class Alliance:
    net: Network
    dalian: Library  # a second city library, with no branches
    county_cataloguer: Any  # cataloguer at 康平 (LN-SY-KP) and below
    city_cataloguer: Any  # cataloguer at 沈阳 (LN-SY) and below
    viewer: Any  # viewer at the province: reads reports, registers nothing
    desk: Any  # circulation at the province: no alliance permission
    superuser: Any


def make_alliance() -> Alliance:
    """Create the test network plus 大连, and the staff of the permission matrix."""
    net = make_network()
    dalian = libraries.create_library(code="LN-DL", name="大连图书馆", level=Level.CITY, parent=net.province)
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return Alliance(
            net=net,
            dalian=dalian,
            county_cataloguer=_staff("kp-cat", net.county, [Role.CATALOGUER]),
            city_cataloguer=_staff("sy-cat", net.city, [Role.CATALOGUER]),
            viewer=_staff("ln-view", net.province, [Role.VIEWER]),
            desk=_staff("ln-desk", net.province, [Role.CIRCULATION]),
            superuser=accounts.create_staff(
                username="root", password=PASSWORD, library=net.province, roles=[], is_superuser=True
            ),
        )


def _staff(username: str, library: Library, roles: list[str]) -> Any:
    return accounts.create_staff(username=username, password=PASSWORD, library=library, roles=roles)


def region(code: str) -> Region:
    """Return a seeded GB/T 2260 region by code."""
    return Region.objects.get(code=code)
