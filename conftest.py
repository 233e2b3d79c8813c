"""Suite-wide fixtures: jobs run immediately in tests, and data goes to a temporary data dir."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SHELFMARK_JOBS_IMMEDIATE", "1")
os.environ.setdefault("SHELFMARK_DATA_DIR", tempfile.mkdtemp(prefix="shelfmark-test-"))


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """pytest-django builds settings before this file runs, so apply the test set-up to them directly."""
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    settings.MEDIA_ROOT = Path(os.environ["SHELFMARK_DATA_DIR"]) / "media"
