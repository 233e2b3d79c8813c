"""ILL fixtures."""

from __future__ import annotations

from typing import Any

import pytest

from shelfmark.ill.tests.factories import Alliance, make_alliance


@pytest.fixture
def alliance(settings: Any) -> Alliance:
    settings.TIME_ZONE = "Asia/Shanghai"
    return make_alliance()
