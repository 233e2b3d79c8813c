"""`shelfmark sip2-terminal add|list|disable|enable`: manage the SIP2 accounts of self-service machines."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelfmark.core.errors import DomainError
from shelfmark.libraries.models import ServicePoint
from shelfmark.libraries.selectors import get_library
from shelfmark.protocols.sip2 import selectors, services
from shelfmark.protocols.sip2.models import Encoding


class Command(BaseCommand):
    help = "Add, list, disable or enable SIP2 terminal accounts (kiosks, sorters, smart shelves)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a terminal and print its password once")
        add.add_argument("login", help="the terminal's SIP2 login (CN): letters, digits, . _ -")
        add.add_argument("--library", required=True, help="code of the library the terminal stands in")
        add.add_argument("--service-point", required=True, help="code of its service point at that library")
        add.add_argument("--password", help="its password (CO); generated when not given")
        add.add_argument("--name", default="", help="a name staff recognise")
        add.add_argument("--institution", help="the institution id (AO) it sends; default the library code")
        add.add_argument("--encoding", choices=Encoding.values, default=Encoding.UTF8)
        add.add_argument("--no-offline", action="store_true", help="refuse offline (no block) loans the rules refuse")
        add.add_argument("--no-pin", action="store_true", help="lend without the reader's PIN (staff-run machines)")
        add.add_argument(
            "--sort-bin", action="append", default=[], metavar="KEY=BIN", help="e.g. hold=2, transit:LN-SY=4"
        )
        add.add_argument("--json", action="store_true", help="print the new account as JSON")
        actions.add_parser("list", help="list the terminals").add_argument("--json", action="store_true")
        for name in ("disable", "enable"):
            actions.add_parser(name, help=f"{name} a terminal").add_argument("login")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as error:
            raise CommandError(error.message) from None

    def _add(self, options: dict[str, Any]) -> None:
        library = get_library(options["library"])
        point = ServicePoint.objects.filter(code=options["service_point"]).select_related("library").first()
        if point is None:
            raise CommandError(f"No service point with code {options['service_point']}.")
        bins = dict(_pair(text) for text in options["sort_bin"])
        terminal, password = services.add_terminal(
            login=options["login"],
            library=library,
            service_point=point,
            actor=None,
            password=options["password"],
            name=options["name"],
            institution_id=options["institution"],
            encoding=options["encoding"],
            accept_offline=not options["no_offline"],
            pin_required=not options["no_pin"],
            sort_bins=bins,
        )
        account = {"login": terminal.login, "password": password, "institution_id": terminal.institution_id}
        if options["json"]:
            self.stdout.write(json.dumps({**account, "library": library.code, "service_point": point.code}))
            return
        self.stdout.write(f"Added SIP2 terminal {terminal.login} at {library.code} / {point.code}.")
        self.stdout.write(f"  login (CN): {terminal.login}\n  password (CO): {password}")
        self.stdout.write(f"  institution (AO): {terminal.institution_id}\n  encoding: {terminal.encoding}")

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            {
                "login": t.login,
                "name": t.name,
                "library": t.library.code,
                "service_point": t.service_point.code,
                "institution_id": t.institution_id,
                "encoding": t.encoding,
                "enabled": t.enabled,
                "last_login_at": t.last_login_at.isoformat() if t.last_login_at else None,
            }
            for t in selectors.terminals()
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            state = "enabled" if row["enabled"] else "DISABLED"
            self.stdout.write(
                f"{row['login']:<20} {row['library']:<12} {row['service_point']:<14} AO={row['institution_id']:<12} "
                f"{row['encoding']:<8} {state:<8} last login {row['last_login_at'] or '-'}"
            )

    def _disable(self, options: dict[str, Any]) -> None:
        services.set_enabled(terminal=selectors.get_terminal(options["login"]), enabled=False, actor=None)
        self.stdout.write(f"Disabled SIP2 terminal {options['login']}.")

    def _enable(self, options: dict[str, Any]) -> None:
        services.set_enabled(terminal=selectors.get_terminal(options["login"]), enabled=True, actor=None)
        self.stdout.write(f"Enabled SIP2 terminal {options['login']}.")


def _pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key or not value:
        raise CommandError(f"--sort-bin takes KEY=BIN, got {text!r}.")
    return key, value
