"""shelfmark scorecard --year Y [--level city|county] [--xlsx FILE]: the alliance scorecard as a table and a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from shelfmark.alliance import scorecard as scorecards
from shelfmark.alliance import xlsx
from shelfmark.core.errors import DomainError


class Command(BaseCommand):
    help = "Rank the alliance's members on every active indicator for a year; optionally write the Excel file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="the year (default: last year)")
        parser.add_argument("--level", default="city", choices=scorecards.MEMBER_LEVELS, help="members' level")
        parser.add_argument("--xlsx", default="", help="write the workbook to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localtime().year - 1
        try:
            card = scorecards.build_scorecard(year=year, level=options["level"])
        except DomainError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        console = Console(file=cast(IO[str], self.stdout), width=160)
        table = Table(title=f"{card.year} 年度联盟绩效考评")
        table.add_column("馆代码")
        table.add_column("图书馆")
        for ranking in card.rankings:
            unit = f"（{ranking.indicator.unit}）" if ranking.indicator.unit else ""
            table.add_column(f"{ranking.indicator.name}{unit}", justify="right")
        for member in card.members:
            cells = []
            for ranking in card.rankings:
                placing = card.placing(ranking, member)
                if placing.value is None:
                    cells.append("—")
                    continue
                mark = " ✓" if placing.met else " ✗" if placing.met is False else ""
                cells.append(f"{placing.value} #{placing.rank}{mark}")
            table.add_row(member.code, member.name, *cells)
        console.print(table)
        for ranking in card.rankings:
            if ranking.note:
                console.print(f"{ranking.indicator.name}：{ranking.note}")
        if options["xlsx"]:
            path = Path(options["xlsx"])
            path.write_bytes(xlsx.to_bytes(xlsx.scorecard_workbook(card)))
            self.stdout.write(f"wrote {path}")
