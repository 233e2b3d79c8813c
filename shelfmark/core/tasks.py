"""Nightly upkeep run by the Huey worker."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from shelfmark.core.dbstats import refresh_statistics


@db_periodic_task(crontab(hour="3", minute="0"))
def nightly_statistics() -> None:
    """Refresh the planner's statistics after a day of loans, returns and cataloguing."""
    refresh_statistics()
