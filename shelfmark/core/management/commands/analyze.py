"""`shelfmark analyze`: refresh the query planner's statistics (import-marc and the daily run do it too)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shelfmark.core.dbstats import refresh_statistics


class Command(BaseCommand):
    help = "Refresh the database's table statistics for the query planner, after loading data by other means."

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = refresh_statistics()
        self.stdout.write(f"statistics refreshed in {seconds:.2f} s")
