"""Readers for tests: one call per reader, PINs hashed once per distinct PIN so suites stay fast."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.test import override_settings

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Level, Library
from shelfmark.libraries.tests.factories import Network
from shelfmark.patrons import services
from shelfmark.patrons.models import Category, Patron

PASSWORD = "pw-123456"

_numbers = itertools.count(1)


@cache
def pin_hash(pin: str) -> str:
    """Hash each distinct test PIN once."""
    return services.hash_pin(pin)


def make_patron(
    *, category: str = Category.ADULT, library: Library | None = None, pin: str | None = "1234", **kw: Any
) -> Patron:
    """Register a reader through the service; unnamed details get unique test values."""
    n = next(_numbers)
    if library is None:
        library = libraries.create_library(code=f"T-{n}", name=f"测试馆{n}", level=Level.CITY)
    kw.setdefault("card_number", f"P{n:07d}")
    kw.setdefault("name", f"读者{n}")
    kw.setdefault("actor", None)
    if category == Category.INSTITUTIONAL:
        kw.setdefault("responsible_person", "王老师")
    return services.create_patron(
        category=category, home_library=library, pin_hash=pin_hash(pin) if pin else None, **kw
    )


@dataclass
class PatronStaff:
    """One login per boundary of the reader permission matrix."""

    county_desk: Any  # circulation role at the county (LN-SY-KP) and below
    other_desk: Any  # circulation role at the other county (LN-SY-FK)
    viewer: Any  # read-only at the province
    cataloguer: Any  # cataloguer at the province: no reader permissions
    superuser: Any


def make_patron_staff(net: Network) -> PatronStaff:
    """Create the staff of the reader permission matrix on the test network."""
    # Staff passwords are not under test here: a fast hasher saves 0.4 s a login, and force_login needs none.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        return _make_patron_staff(net)


def _make_patron_staff(net: Network) -> PatronStaff:
    return PatronStaff(
        county_desk=accounts.create_staff(
            username="kp-desk", password=PASSWORD, library=net.county, roles=[Role.CIRCULATION]
        ),
        other_desk=accounts.create_staff(
            username="fk-desk", password=PASSWORD, library=net.other_county, roles=[Role.CIRCULATION]
        ),
        viewer=accounts.create_staff(username="viewer", password=PASSWORD, library=net.province, roles=[Role.VIEWER]),
        cataloguer=accounts.create_staff(
            username="cataloguer", password=PASSWORD, library=net.province, roles=[Role.CATALOGUER]
        ),
        superuser=accounts.create_staff(
            username="root", password=PASSWORD, library=net.province, roles=[], is_superuser=True
        ),
    )
