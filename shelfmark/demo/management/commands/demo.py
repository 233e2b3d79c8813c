"""`shelfmark demo`: load the demo network, staff and catalogue, then print the logins."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shelfmark.demo.network import load_network
from shelfmark.demo.staff import load_staff


class Command(BaseCommand):
    help = "Load demo data (network tree, staff logins, catalogue) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the logins as one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        libraries = load_network()
        summary: dict[str, Any] = {"url": "http://127.0.0.1:8000/staff/", "staff": load_staff(libraries)}
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(f"Shelfmark demo is ready: {summary['url']}")
        for login in summary["staff"]:
            self.stdout.write(f"  {login['username']:<12} {login['password']:<16} {login['name']} ({login['library']})")
