"""`shelfmark copycat HOST:PORT/DB --title ...`: search a remote Z39.50 server and catalogue a record found there."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelfmark.core.errors import DomainError
from shelfmark.libraries.models import Library
from shelfmark.protocols.z3950 import client


class Command(BaseCommand):
    help = "Search a Z39.50 server (copy cataloguing); with --import N, catalogue the N-th record shown."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", metavar="HOST:PORT/DATABASE")
        parser.add_argument("--field", choices=sorted(client.USE_ATTRIBUTES), default="any")
        parser.add_argument("term")
        parser.add_argument("--syntax", choices=client.SYNTAXES, default="usmarc", help="unimarc for CNMARC servers")
        parser.add_argument("--limit", type=int, default=10, help="records to show")
        parser.add_argument("--import", dest="position", type=int, metavar="N", help="catalogue the N-th record")
        parser.add_argument("--library", metavar="CODE", help="cataloguing library of the imported record")

    def handle(self, *args: Any, **options: Any) -> None:
        library = None
        if options["library"]:
            library = Library.objects.filter(code=options["library"]).first()
            if library is None:
                raise CommandError(f"No library has the code {options['library']!r}.")
        try:
            target = client.Target.parse(options["target"], syntax=options["syntax"])
            result = client.search(target, field=options["field"], term=options["term"], limit=options["limit"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{target}: {result.total} hits")
        for found in result.records:
            self.stdout.write(f"{found.position:>3}  {found.marc_format:<6}  {found.isbn or '-':<13}  {found.title}")
        for position, reason in result.unreadable:
            self.stdout.write(f"{position:>3}  unreadable: {reason}")
        if options["position"] is None:
            return
        chosen = next((found for found in result.records if found.position == options["position"]), None)
        if chosen is None:
            raise CommandError(f"Record {options['position']} is not among the records shown.")
        try:
            record = client.copy_record(chosen, library=library, actor=None)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Catalogued as record {record.pk}: {record.title}")
