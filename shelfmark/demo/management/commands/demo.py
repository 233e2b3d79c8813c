"""`shelfmark demo`: load the demo network, staff, catalogue and circulation, then print the logins.

`--json` prints one JSON object whose top-level keys are sections (url, staff, catalog, circulation, readers,
items, ...); a part of the demo adds its own section by adding a key, and readers of the JSON pick the keys
they know.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shelfmark.core.dbstats import refresh_statistics
from shelfmark.demo.booklists import load_booklists
from shelfmark.demo.catalog import GENERATED_RECORDS, load_catalog
from shelfmark.demo.circulation_data import load_circulation
from shelfmark.demo.history import DEFAULT_DAYS
from shelfmark.demo.kiosk import load_kiosk
from shelfmark.demo.network import load_network
from shelfmark.demo.readers import DEFAULT_READERS
from shelfmark.demo.showcase import circulation_counts, item_cases, reader_cards
from shelfmark.demo.staff import load_staff

BASE_URL = "http://127.0.0.1:8000"
# The readers the printed summary shows (--json lists them all): one of each kind the desk meets most.
SHOWN_READERS = ("main", "child", "senior", "disabled", "class", "deposit")


class Command(BaseCommand):
    help = "Load demo data (network, staff, catalogue, readers, items, circulation history) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="print the logins as one JSON object")
        parser.add_argument(
            "--catalog-records",
            type=int,
            default=GENERATED_RECORDS,
            help=f"generated Chinese records to import (default {GENERATED_RECORDS})",
        )
        parser.add_argument(
            "--readers",
            type=int,
            default=DEFAULT_READERS,
            help=f"readers besides the named ones (default {DEFAULT_READERS})",
        )
        parser.add_argument(
            "--history-days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"days of circulation history written on the first run (default {DEFAULT_DAYS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        libraries = load_network()
        summary: dict[str, Any] = {"url": f"{BASE_URL}/staff/", "staff": load_staff(libraries)}
        # Notes go to stderr so that --json keeps stdout to one JSON object.
        summary["catalog"] = load_catalog(
            library=libraries["LN"], records=options["catalog_records"], note=self.stderr.write
        )
        readers, loaded = load_circulation(libraries, readers=options["readers"], days=options["history_days"])
        summary["circulation"] = {**loaded, **circulation_counts()}
        summary["reader_url"] = f"{BASE_URL}/account/"
        summary["readers"] = reader_cards(readers)
        summary["items"] = item_cases(readers)
        summary["sip2"] = load_kiosk(libraries)
        summary["booklists"] = load_booklists(libraries)
        refresh_statistics()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
            return
        self.print_summary(summary)

    def print_summary(self, summary: dict[str, Any]) -> None:
        catalog, circulation = summary["catalog"], summary["circulation"]
        self.stdout.write(
            f"Catalogue: {catalog['records']} records ({catalog['local_documents']} local documents); "
            f"{catalog['samples_read']} real sample records read, {catalog['generated']} generated records loaded"
        )
        self.stdout.write(
            f"Circulation: {circulation['rules']} rules, {circulation['items']} items, "
            f"{circulation['loans']} loans ({circulation['active_loans']} out, {circulation['overdue_loans']} overdue), "
            f"{sum(circulation['holds'].values())} holds, {circulation['open_transits']} in transit"
        )
        self.stdout.write(f"Shelfmark demo is ready: {summary['url']}")
        for login in summary["staff"]:
            self.stdout.write(f"  {login['username']:<12} {login['password']:<16} {login['name']} ({login['library']})")
        self.stdout.write(f"Reader logins (card, PIN) at {summary['reader_url']} (all of them with --json):")
        for card in (card for card in summary["readers"] if card["case"] in SHOWN_READERS):
            self.stdout.write(
                f"  {card['card']:<12} {card['pin']:<16} {card['name']} ({card['library']}, {card['category']}): "
                f"{card['note']}"
            )
        kiosk = summary["sip2"]
        self.stdout.write(
            f"SIP2 kiosk (run `{kiosk['server']}`): login {kiosk['login']}, password {kiosk['password']}, "
            f"institution {kiosk['institution_id']}"
        )
        items = summary["items"]
        if items["available"]:
            shown = ", ".join(item["barcode"] for item in items["available"][:4])
            self.stdout.write(f"Items to scan: on the shelf {shown}")
        for case, label in (
            ("on_loan", "on loan"),
            ("on_hold_shelf", "on the hold shelf"),
            ("overdue", "overdue"),
            ("in_transit", "in transit"),
        ):
            if case in items:
                self.stdout.write(f"  {label}: {items[case]['barcode']} ({items[case]['title']})")
