"""Suite-wide set-up lives in tests/settings.py, which pytest-django loads before any conftest runs."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from shelfmark.core import memo


@pytest.fixture
def policy_cache(settings: Any) -> Iterator[None]:
    """Run with the production policy cache (rules, calendars, libraries remembered), forgotten before and after."""
    settings.SHELFMARK_POLICY_CACHE_SECONDS = 60
    memo.clear_all()
    yield
    memo.clear_all()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Start every test in the default language: a request through the language middleware leaves its language
    active in the thread afterwards (streamed answers are rendered after the middleware returns)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
