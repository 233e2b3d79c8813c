"""`shelfmark circulation-daily`: the daily overdue and hold-shelf run, for sites that use cron instead of the worker."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shelfmark.circulation import services
from shelfmark.core.dbstats import refresh_statistics


class Command(BaseCommand):
    help = "Expire uncollected holds, then accrue overdue fines and queue overdue notices (safe to run twice a day)."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = services.expire_hold_shelf()
        run = services.process_overdues()
        refresh_statistics()
        self.stdout.write(
            f"holds expired: {expired}; overdue loans: {run.overdue_loans}; "
            f"fines updated: {run.fines_updated}; notices queued: {run.notices}"
        )
