"""Suite-wide set-up lives in tests/settings.py, which pytest-django loads before any conftest runs."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from shelfmark.core import memo

# Property tests check behaviour, not speed: Hypothesis's default 200 ms deadline per example fails them on a
# busy CI machine (each example here touches the database). Speed is measured by bench/, never by tests.
hypothesis_settings.register_profile("shelfmark", deadline=None)
hypothesis_settings.load_profile("shelfmark")


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
