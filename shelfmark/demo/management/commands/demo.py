"""`shelfmark demo`: load the demo network, staff and catalogue, then print the logins."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shelfmark.demo.catalog import GENERATED_RECORDS, load_catalog
from shelfmark.demo.network import load_network
from shelfmark.demo.staff import load_staff


class Command(BaseCommand):
    help = "Load demo data (network tree, staff logins, catalogue) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the logins as one JSON object")
        parser.add_argument(
            "--catalog-records",
            type=int,
            default=GENERATED_RECORDS,
            help=f"generated Chinese records to import (default {GENERATED_RECORDS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        libraries = load_network()
        summary: dict[str, Any] = {"url": "http://127.0.0.1:8000/staff/", "staff": load_staff(libraries)}
        # Notes go to stderr so that --json keeps stdout to one JSON object.
        summary["catalog"] = load_catalog(
            library=libraries["LN"], records=options["catalog_records"], note=self.stderr.write
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        catalog = summary["catalog"]
        self.stdout.write(
            f"Catalogue: {catalog['records']} records ({catalog['local_documents']} local documents); "
            f"{catalog['samples_read']} real sample records read, {catalog['generated']} generated records loaded"
        )
        self.stdout.write(f"Shelfmark demo is ready: {summary['url']}")
        for login in summary["staff"]:
            self.stdout.write(f"  {login['username']:<12} {login['password']:<16} {login['name']} ({login['library']})")
