"""Fines test fixtures: the five-level network and the staff of the permission matrix."""

from __future__ import annotations

import pytest

from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.patrons.tests.factories import PatronStaff, make_patron_staff


@pytest.fixture
def net() -> Network:
    """The five-level test network."""
    return make_network()


@pytest.fixture
def staff(net: Network) -> PatronStaff:
    """One staff login per boundary of the permission matrix."""
    return make_patron_staff(net)
