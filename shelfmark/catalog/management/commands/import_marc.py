"""`shelfmark import-marc FILE...`: import MARC files with a progress bar and a summary per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn

from shelfmark.catalog import services
from shelfmark.catalog.importing import MATCHES, ImportSummary, iter_rejects
from shelfmark.catalog.marc.extract import FORMATS
from shelfmark.catalog.marc.reading import ENCODINGS
from shelfmark.core.dbstats import refresh_statistics
from shelfmark.core.errors import DomainError
from shelfmark.libraries.models import Library


class Command(BaseCommand):
    help = "Import MARC records (ISO 2709 or MARCXML; MARC21 or CNMARC) and report read, created, updated, rejected."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--format", dest="marc_format", choices=FORMATS, default="auto")
        parser.add_argument("--encoding", choices=ENCODINGS, default="auto")
        parser.add_argument("--library", metavar="CODE", help="code of the cataloguing library for new records")
        parser.add_argument("--match", choices=MATCHES, default="isbn", help="how an existing record is found")
        parser.add_argument("--batch-size", type=int, default=1000, help="records per transaction")
        parser.add_argument(
            "--rejects-dir", type=Path, help="folder for FILE.rejects.mrc and .tsv (default: the current folder)"
        )
        parser.add_argument("--no-progress", action="store_true", help="do not draw the progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        library = None
        if options["library"]:
            library = Library.objects.filter(code=options["library"]).first()
            if library is None:
                raise CommandError(f"No library has the code {options['library']!r}.")
        missing = [str(path) for path in options["files"] if not path.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        rejects_dir: Path = options["rejects_dir"] or Path.cwd()
        rejects_dir.mkdir(parents=True, exist_ok=True)
        totals = ImportSummary()
        for path in options["files"]:
            summary = self._import(path, library, rejects_dir / f"{path.name}.rejects", options)
            self.stdout.write(f"{path}: {summary.line()}")
            for line in iter_rejects(summary):
                self.stdout.write(f"  rejected {line}")
            if summary.rejected > len(summary.rejects):
                self.stdout.write(f"  ... and {summary.rejected - len(summary.rejects)} more")
            if summary.reject_files:
                self.stdout.write(f"  reject file: {summary.reject_files[0]} ({summary.reject_files[1].name})")
            for name in ("read", "created", "updated", "rejected"):
                setattr(totals, name, getattr(totals, name) + getattr(summary, name))
        if len(options["files"]) > 1:
            self.stdout.write(f"total: {totals.line()}")
        refresh_statistics()  # a large import leaves the planner guessing (shelfmark.core.dbstats)

    def _import(self, path: Path, library: Library | None, reject_base: Path, options: dict[str, Any]) -> ImportSummary:
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=Console(stderr=True),
            disable=options["no_progress"],
        )
        with bar:
            task = bar.add_task(path.name, total=path.stat().st_size, counts="")

            def progress(done: int, total: int, summary: ImportSummary) -> None:
                bar.update(task, completed=done, total=total, counts=summary.line())

            try:
                return services.import_marc(
                    source=path,
                    actor=None,
                    library=library,
                    marc_format=options["marc_format"],
                    encoding=options["encoding"],
                    match=options["match"],
                    batch_size=options["batch_size"],
                    reject_path=reject_base,
                    progress=progress,
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
