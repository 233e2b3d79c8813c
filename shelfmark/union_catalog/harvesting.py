"""Harvest a member's OAI-PMH provider, or load its MARC file, into the union catalogue, with a run log.

A harvest is incremental by default (from = the provider's responseDate when the last complete harvest
began), `full` harvests everything and then marks what the member no longer has as deleted. Each page lands
in one transaction with the resumption token that follows it, so a harvest interrupted by a dropped
connection, a provider that stays down, a kill or Ctrl-C resumes after the last page that landed: the next
`harvest` of the source continues the unfinished run (its stored token, or the list again from the run's own
`from` when the provider no longer knows the token).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from sickle import oaiexceptions

from shelfmark.core import events
from shelfmark.union_catalog import errors, oai
from shelfmark.union_catalog.dublin_core import record_from_dc
from shelfmark.union_catalog.files import prepared_file
from shelfmark.union_catalog.loading import Counts, Libraries, growth_watch, land, mark_unseen_deleted
from shelfmark.union_catalog.models import HarvestRun, Source
from shelfmark.union_catalog.prepare import Deleted, Incoming, Rejected, prepare

Progress = Callable[[HarvestRun], None]
FILE_BATCH = 1000
UNFINISHED = (HarvestRun.Status.RUNNING, HarvestRun.Status.INTERRUPTED, HarvestRun.Status.PENDING)


def setting(name: str, default: float) -> float:
    """A harvest setting: Django settings, else the environment variable of the same name, else the default."""
    return float(getattr(settings, name, None) or os.environ.get(name) or default)


def problem(exc: BaseException) -> str:
    """Say what went wrong: the OAI-PMH error code as the specification writes it, else the exception."""
    name = type(exc).__name__
    if type(exc).__module__ == oaiexceptions.__name__:
        return f"OAI-PMH error {name[:1].lower()}{name[1:]}: {exc}"
    if isinstance(exc, oai.HarvestError):
        return str(exc)
    return f"{name}: {exc}"


def make_harvester(source: Source, **overrides: Any) -> oai.Harvester:
    """The OAI-PMH client for a source, with the configured retries (SHELFMARK_HARVEST_*)."""
    options: dict[str, Any] = {
        "retries": int(setting("SHELFMARK_HARVEST_RETRIES", 5)),
        "backoff": setting("SHELFMARK_HARVEST_BACKOFF_SECONDS", 2),
        "max_delay": setting("SHELFMARK_HARVEST_MAX_DELAY_SECONDS", 300),
        "timeout": setting("SHELFMARK_HARVEST_TIMEOUT_SECONDS", 60),
    }
    options.update(overrides)
    return oai.Harvester(source.base_url, **options)


def _start_run(
    source: Source,
    *,
    full: bool,
    since: datetime | None,
    until: datetime | None,
    resume: str,
    actor: Any,
    now: datetime,
) -> HarvestRun:
    """Continue the source's unfinished run, or start one; refuse while another process is harvesting it."""
    with transaction.atomic():
        Source.objects.select_for_update().filter(pk=source.pk).first()
        unfinished = source.runs.filter(status__in=UNFINISHED, stored_path="").order_by("-id").first()
        if unfinished is not None and unfinished.status == HarvestRun.Status.RUNNING:
            stale = timedelta(seconds=setting("SHELFMARK_HARVEST_STALE_SECONDS", 900))
            beat = unfinished.heartbeat_at or unfinished.started_at or unfinished.created_at
            if now - beat < stale:
                raise errors.HarvestAlreadyRunning(
                    code=source.code, run=unfinished.pk, seconds=int((now - beat).total_seconds())
                )
        explicit = full or since is not None or until is not None
        if unfinished is not None and (resume == "require" or not explicit):
            unfinished.status = HarvestRun.Status.RUNNING
            unfinished.heartbeat_at = now
            unfinished.error = ""
            unfinished.save(update_fields=["status", "heartbeat_at", "error"])
            return unfinished
        if resume == "require":
            raise errors.NothingToResume(code=source.code)
        if unfinished is not None:
            unfinished.status = HarvestRun.Status.ABANDONED
            unfinished.finished_at = now
            unfinished.save(update_fields=["status", "finished_at"])
        return HarvestRun.objects.create(
            source=source,
            status=HarvestRun.Status.RUNNING,
            full=full,
            harvest_from=None if full else (since or source.last_harvested),
            harvest_until=until,
            prefixes=source.prefixes,
            actor=events.staff_user(actor),
            started_at=now,
            heartbeat_at=now,
        )


def harvest(
    *,
    source: Source,
    actor: Any = None,
    full: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    resume: str = "auto",
    progress: Progress | None = None,
    harvester: oai.Harvester | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> HarvestRun:
    """Harvest a source's OAI-PMH provider into its records; return the finished run with its log.

    resume="auto" continues an unfinished run unless `full`, `since` or `until` ask for a new one;
    "require" continues one or refuses. Raises HarvestFailed (the run stays resumable) when the provider
    cannot be reached after the retries or answers with an OAI-PMH error.
    """
    if source.way != Source.Way.OAI_PMH:
        raise errors.WrongWayIn(code=source.code, way=source.get_way_display())
    if not source.is_active:
        raise errors.SourceInactive(code=source.code)
    run = _start_run(source, full=full, since=since, until=until, resume=resume, actor=actor, now=now())
    client = harvester or make_harvester(source)
    retries = Retries(client, run.retries)
    events.record("union_catalog.harvest_started", actor=actor, target=run, data={"source": source.code})
    try:
        _harvest_lists(source, run, client, retries, progress=progress, now=now)
    except BaseException as exc:
        failed = isinstance(
            exc, oaiexceptions.BadArgument | oaiexceptions.CannotDisseminateFormat | oaiexceptions.BadVerb
        )
        HarvestRun.objects.filter(pk=run.pk).update(
            status=HarvestRun.Status.FAILED if failed else HarvestRun.Status.INTERRUPTED,
            error=problem(exc)[:2000],
            heartbeat_at=now(),
            retries=retries.total(),
        )
        if isinstance(exc, Exception) and not isinstance(exc, errors.DomainError):
            raise errors.HarvestFailed(code=source.code, problem=problem(exc)) from exc
        raise
    HarvestRun.objects.filter(pk=run.pk).update(retries=retries.total())
    return _finish(source, run, actor=actor, now=now())


class Retries:
    """The run's retries: those of earlier sessions and the client's since this one began (the client counts them in
    its fetching thread, which must not write to the database)."""

    def __init__(self, client: oai.Harvester, before: int) -> None:
        self.client = client
        self.before = before
        self.start = client.retried

    def total(self) -> int:
        return self.before + self.client.retried - self.start


def _harvest_lists(
    source: Source,
    run: HarvestRun,
    client: oai.Harvester,
    retries: Retries,
    *,
    progress: Progress | None,
    now: Callable[[], datetime],
) -> None:
    granularity = client.granularity()
    if granularity != source.granularity:
        Source.objects.filter(pk=source.pk).update(granularity=granularity)
    libraries = Libraries(source)
    while run.prefix_index < len(run.prefixes):
        prefix = run.prefixes[run.prefix_index]
        arguments: dict[str, str] = {"metadataPrefix": prefix}
        if source.set_spec:
            arguments["set"] = source.set_spec
        if run.harvest_from is not None:
            arguments["from"] = oai.format_datestamp(run.harvest_from, granularity)
        if run.harvest_until is not None:
            arguments["until"] = oai.format_datestamp(run.harvest_until, granularity)
        params = {"resumptionToken": run.resumption_token} if run.resumption_token else arguments
        try:
            _harvest_list(source, run, client, retries, params, prefix, libraries, progress=progress, now=now)
        except oaiexceptions.BadResumptionToken:
            # The provider no longer knows the stored token (expired, or its key changed): list again from the
            # run's own arguments; what already landed comes back as unchanged.
            run.resumption_token = ""
            _harvest_list(source, run, client, retries, arguments, prefix, libraries, progress=progress, now=now)
        run.prefix_index += 1
        run.resumption_token = ""
        run.cursor = 0
        HarvestRun.objects.filter(pk=run.pk).update(prefix_index=run.prefix_index, resumption_token="", cursor=0)


def _harvest_list(
    source: Source,
    run: HarvestRun,
    client: oai.Harvester,
    retries: Retries,
    params: dict[str, str],
    prefix: str,
    libraries: Libraries,
    *,
    progress: Progress | None,
    now: Callable[[], datetime],
) -> None:
    growth = growth_watch()
    try:
        for page, token, size, _cursor in oai.pages(client, params):
            items, count = read_page(page, prefix)
            run.cursor += count
            fields: dict[str, Any] = {
                "resumption_token": token,
                "pages": F("pages") + 1,
                "cursor": run.cursor,
                "retries": retries.total(),
            }
            if size is not None:
                run.complete_list_size = size
                fields["complete_list_size"] = size
            if run.response_date is None:
                run.response_date = page.response_date() or now()
                fields["response_date"] = run.response_date
            land(items, source=source, run=run, libraries=libraries, now=now(), progress=fields, growth=growth)
            run.resumption_token = token
            if progress is not None:
                run.refresh_from_db()
                progress(run)
    except oai.ListEnded:
        # Nothing changed: the run has no response date of its own, so the next harvest starts from the same
        # moment again (the provider's clock, never ours).
        pass


def read_page(page: oai.Page, prefix: str) -> tuple[list[Incoming], int]:
    """Turn a page's records into items to land, and count them; a record that cannot be read becomes a reject
    naming why."""
    items: list[Incoming] = []
    entries = oai.entries(page)
    marcxml = oai.marcxml_records(
        [entry.metadata for entry in entries if entry.metadata is not None and not entry.deleted and prefix != "oai_dc"]
    )
    read = iter(marcxml)
    for entry in entries:
        identifier = entry.identifier or "(no identifier)"
        if entry.deleted:
            items.append(Deleted(identifier, entry.datestamp))
            continue
        if entry.metadata is None:
            items.append(Rejected(identifier, "the record has no metadata"))
            continue
        if not entry.identifier:
            if prefix != "oai_dc":
                next(read)
            items.append(Rejected(identifier, "the record header has no identifier"))
            continue
        if prefix == "oai_dc":
            record, error = record_from_dc(entry.metadata, identifier=entry.identifier), None
        else:
            record, error = next(read)
        if record is None:
            items.append(Rejected(identifier, f"MARCXML: {error or 'unreadable record'}"))
            continue
        items.append(prepare(record, identifier=identifier, datestamp=entry.datestamp))
    if page.damaged:
        items.append(Rejected(f"page {page.params.get('resumptionToken') or 'first'}", page.damaged))
    return items, len(entries)


def _finish(source: Source, run: HarvestRun, *, actor: Any, now: datetime) -> HarvestRun:
    if run.full:
        mark_unseen_deleted(source=source, run=run, now=now)
    with transaction.atomic():
        HarvestRun.objects.filter(pk=run.pk).update(
            status=HarvestRun.Status.DONE, finished_at=now, heartbeat_at=now, resumption_token="", error=""
        )
        if run.response_date is not None and run.harvest_until is None:
            # The next incremental harvest asks for what changed since this one began, by the provider's clock.
            Source.objects.filter(pk=source.pk).update(last_harvested=run.response_date)
        run.refresh_from_db()
        events.record(
            "union_catalog.harvest_finished",
            actor=actor,
            target=run,
            data={"source": source.code, "log": run.line(), "rejects": run.rejects[:20]},
            now=now,
        )
    return run


def load_file(
    *,
    source: Source,
    path: Path,
    actor: Any = None,
    replace: bool = False,
    run: HarvestRun | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] = timezone.now,
) -> HarvestRun:
    """Load a member's MARC file into its records (`replace`: the file is its whole catalogue, so what is not in
    it is marked deleted); loading the same file again changes nothing."""
    if not path.is_file():
        raise errors.HarvestFailed(code=source.code, problem=f"no such file: {path}")
    started = now()
    if run is None:
        run = HarvestRun.objects.create(
            source=source, file_name=path.name, full=replace, replace=replace, actor=events.staff_user(actor)
        )
    HarvestRun.objects.filter(pk=run.pk).update(
        status=HarvestRun.Status.RUNNING, started_at=started, heartbeat_at=started
    )
    run.refresh_from_db()
    libraries = Libraries(source)
    growth = growth_watch()
    events.record(
        "union_catalog.file_load_started", actor=actor, target=run, data={"source": source.code, "file": path.name}
    )
    try:
        batch: list[Incoming] = []
        total = Counts()
        for position, item in prepared_file(path, encoding=source.encoding, marc_format=source.marc_format):
            batch.append(item)
            if len(batch) >= FILE_BATCH:
                total.add(
                    land(
                        batch,
                        source=source,
                        run=run,
                        libraries=libraries,
                        now=now(),
                        progress={"cursor": position},
                        growth=growth,
                    )
                )
                batch = []
                if progress is not None:
                    run.refresh_from_db()
                    progress(run)
        if batch:
            total.add(
                land(
                    batch,
                    source=source,
                    run=run,
                    libraries=libraries,
                    now=now(),
                    progress={"cursor": run.cursor + len(batch)},
                    growth=growth,
                )
            )
    except BaseException as exc:
        HarvestRun.objects.filter(pk=run.pk).update(
            status=HarvestRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=now()
        )
        raise
    if replace:
        mark_unseen_deleted(source=source, run=run, now=now())
    finished = now()
    HarvestRun.objects.filter(pk=run.pk).update(
        status=HarvestRun.Status.DONE, finished_at=finished, heartbeat_at=finished
    )
    run.refresh_from_db()
    events.record(
        "union_catalog.file_loaded",
        actor=actor,
        target=run,
        data={"source": source.code, "file": path.name, "log": run.line(), "rejects": run.rejects[:20]},
        now=finished,
    )
    return run
