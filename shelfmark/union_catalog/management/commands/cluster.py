"""`shelfmark cluster [--full]`: group the union catalogue's records into clusters of one manifestation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shelfmark.core.dbstats import refresh_statistics
from shelfmark.union_catalog import clustering


class Command(BaseCommand):
    help = (
        "Cluster the union catalogue: our catalogue's changed records get fresh match keys, every active record is "
        "linked again (decisions kept) and the clusters that changed are written. --full re-reads every key from MARC."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="re-read every member's match keys from its MARC")
        parser.add_argument("--quiet", action="store_true", help="print only the summary")

    def handle(self, *args: Any, **options: Any) -> None:
        say = None if options["quiet"] else (lambda message: self.stderr.write(message))
        summary = clustering.run(full=options["full"], progress=say)
        refresh_statistics()
        self.stdout.write(summary.line())
