"""`shelfmark harvest SOURCE [--from DATE] [--full]`: harvest a member's OAI-PMH provider (or load its MARC file)
into the union catalogue, with a progress bar and the run log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shelfmark.core.dbstats import refresh_statistics
from shelfmark.core.errors import DomainError
from shelfmark.union_catalog import clustering, harvesting
from shelfmark.union_catalog.models import HarvestRun, Source

REJECTS_SHOWN = 20


def moment(value: str) -> datetime:
    """Read --from/--until: YYYY-MM-DD or an ISO 8601 date and time (UTC unless it names its offset)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDThh:mm:ssZ).") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Harvest a member source into the union catalogue: incrementally by default (from the last harvest), "
        "resuming an interrupted harvest; --file loads a MARC file of a file source."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="SOURCE", help="the member library's code")
        parser.add_argument("--from", dest="since", type=moment, metavar="DATE", help="harvest changes from DATE on")
        parser.add_argument("--until", type=moment, metavar="DATE", help="harvest changes up to DATE")
        parser.add_argument("--full", action="store_true", help="harvest everything; what is gone is marked deleted")
        parser.add_argument("--resume", action="store_true", help="continue the unfinished harvest, or fail")
        parser.add_argument("--file", type=Path, metavar="PATH", help="a MARC file (ISO 2709 or MARCXML) to load")
        parser.add_argument("--replace", action="store_true", help="with --file: the file is the whole catalogue")
        parser.add_argument("--cluster", action="store_true", help="cluster the union catalogue afterwards")
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Source.objects.select_related("library").filter(library__code=options["source"]).first()
        if source is None:
            raise CommandError(f"No member source has the code {options['source']!r} (see /staff/union/).")
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[counts]}"),
            console=Console(stderr=True),
            disable=options["no_progress"],
        )
        with bar:
            task = bar.add_task(source.code, total=None, counts="")

            def progress(run: HarvestRun) -> None:
                prefix = run.prefixes[run.prefix_index] if run.prefix_index < len(run.prefixes) else ""
                bar.update(
                    task,
                    completed=run.cursor,
                    total=run.complete_list_size,
                    description=f"{source.code} {prefix or run.file_name}",
                    counts=run.line(),
                )

            try:
                if options["file"] is not None:
                    run = harvesting.load_file(
                        source=source, path=options["file"], replace=options["replace"], progress=progress
                    )
                else:
                    run = harvesting.harvest(
                        source=source,
                        full=options["full"],
                        since=options["since"],
                        until=options["until"],
                        resume="require" if options["resume"] else "auto",
                        progress=progress,
                    )
            except DomainError as exc:
                unfinished = source.runs.filter(status=HarvestRun.Status.INTERRUPTED).first()
                hint = (
                    f" Run #{unfinished.pk} is kept: `shelfmark harvest {source.code}` resumes it."
                    if unfinished
                    else ""
                )
                raise CommandError(f"{exc.message}{hint}") from exc
        refresh_statistics()
        self.stdout.write(f"{source.code} run #{run.pk}: {run.line()}")
        for reject in run.rejects[:REJECTS_SHOWN]:
            self.stdout.write(f"  rejected {reject['identifier']}: {reject['reason']}")
        if run.rejected > REJECTS_SHOWN:
            self.stdout.write(f"  ... and {run.rejected - REJECTS_SHOWN} more (the run log keeps the first 1000)")
        if options["cluster"]:
            self.stdout.write(f"clustered: {clustering.run().line()}")
