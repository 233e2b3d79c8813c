"""The slow tier (real data at scale) runs only when asked: `make test-slow`, or SHELFMARK_SLOW=1 with `-m slow`."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked slow unless SHELFMARK_SLOW=1, so `make test` stays a few minutes long."""
    if os.environ.get("SHELFMARK_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow tier: run `make test-slow` (SHELFMARK_SLOW=1)")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)
