"""Demo test helpers: run `shelfmark demo` small (a short history, a small crowd) with a fast password hasher."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

GENERATED = 150
# A small crowd and a short history keep each run to seconds; the named readers and their scenes are all there.
SMALL = {"readers": 24, "history_days": 28}


@pytest.fixture(autouse=True)
def fast_hasher(settings: Any) -> None:
    """Staff passwords and reader PINs hash with MD5 here: the demo's own cost is what these tests exercise."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(*args: str, catalog_records: int = GENERATED, stderr: io.StringIO | None = None) -> str:
    """Run the demo command and return what it printed on stdout."""
    out = io.StringIO()
    call_command("demo", *args, catalog_records=catalog_records, stdout=out, stderr=stderr or io.StringIO(), **SMALL)
    return out.getvalue()


def demo_json() -> dict[str, Any]:
    """Run `shelfmark demo --json` and return the object it printed."""
    summary: dict[str, Any] = json.loads(run_demo("--json"))
    return summary
