"""Suite-wide fixtures: jobs run immediately in tests, and data goes to a temporary data dir."""

import os
import tempfile

os.environ.setdefault("SHELFMARK_JOBS_IMMEDIATE", "1")
os.environ.setdefault("SHELFMARK_DATA_DIR", tempfile.mkdtemp(prefix="shelfmark-test-"))
