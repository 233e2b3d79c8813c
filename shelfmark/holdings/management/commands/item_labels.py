"""`shelfmark item-labels`: print QR label sheets (A4 PDF) for a library's items."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelfmark.core.errors import NotFound
from shelfmark.holdings import labels, selectors
from shelfmark.libraries.selectors import get_library

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Command(BaseCommand):
    help = (
        "Print QR label sheets (A4 PDF) for the items held by one library: each label has the item's QR code, "
        "call number, short title and barcode. Withdrawn items are left out; labels follow barcode order."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--library", required=True, help="code of the library whose items get labels")
        parser.add_argument(
            "--from",
            dest="start",
            metavar="BARCODE_OR_DATE",
            help="first item: a date YYYY-MM-DD means items created on or after that day; anything else is a "
            "barcode, and labels start at it among barcodes of the same length (a run of generated or "
            "pre-printed barcodes)",
        )
        parser.add_argument(
            "--to",
            dest="end",
            metavar="BARCODE_OR_DATE",
            help="last item: a date means created on or before that day; a barcode means up to and including "
            "it, among barcodes of the same length",
        )
        parser.add_argument(
            "--size",
            choices=sorted(labels.SHEETS),
            default="3x8",
            help="label sheet: " + "; ".join(sheet.describe() for sheet in labels.SHEETS.values()),
        )
        parser.add_argument("--skip", type=int, default=0, help="label positions already used on the first sheet")
        parser.add_argument("--out", type=Path, required=True, help="the PDF file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            library = get_library(options["library"])
        except NotFound as exc:
            raise CommandError(exc.message) from None
        sheet = labels.SHEETS[options["size"]]
        if not 0 <= options["skip"] < sheet.per_sheet:
            raise CommandError(f"--skip must be between 0 and {sheet.per_sheet - 1} for {sheet.name} sheets.")
        start, end = _bound(options["start"], "--from"), _bound(options["end"], "--to")
        items = list(selectors.items_for_labels(library, start=start, end=end))
        if not items:
            raise CommandError(f"No items of {library.code} match --from {options['start']} --to {options['end']}.")
        pages = labels.render(
            (labels.label_for(item) for item in items), options["out"], sheet=sheet.name, skip=options["skip"]
        )
        self.stderr.write(f"labels={len(items)} sheets={pages} size={sheet.name} to {options['out']}")


def _bound(text: str | None, option: str) -> date | str | None:
    """Read a bound: a date when it looks like one (and is a real day), else a barcode."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if _DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{option} {text} is not a real day.") from None
    return text
