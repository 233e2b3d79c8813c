"""Test settings: a throwaway data dir and immediate jobs, set before the platform's settings are read."""

import os
import tempfile

os.environ.setdefault("SHELFMARK_DATA_DIR", tempfile.mkdtemp(prefix="shelfmark-test-"))
os.environ.setdefault("SHELFMARK_JOBS_IMMEDIATE", "1")

from shelfmark.settings import *  # noqa: F403

# Tests read rules and calendars fresh: ids repeat across rolled-back tests, so a remembered rule could leak.
SHELFMARK_POLICY_CACHE_SECONDS = 0

# No rate limits: the suite logs in and searches far faster than a reader; the rate-limit tests set their own.
SHELFMARK_RATE_LIMITS: dict[str, list[str]] = {}
