"""Book-list fixtures: the test network and one login per permission boundary."""

from __future__ import annotations

import pytest

from shelfmark.booklists.tests.factories import ListStaff, make_list_staff
from shelfmark.libraries.tests.factories import Network, make_network


@pytest.fixture
def net() -> Network:
    return make_network()


@pytest.fixture
def staff(net: Network) -> ListStaff:
    return make_list_staff(net)
