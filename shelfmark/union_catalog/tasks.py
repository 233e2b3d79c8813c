"""Background work of the union catalogue: scheduled harvests, queued harvests and file loads, then clustering."""

from __future__ import annotations

import logging
from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from shelfmark.core.errors import DomainError
from shelfmark.union_catalog import clustering, harvesting, rules
from shelfmark.union_catalog.models import HarvestRun, Source

logger = logging.getLogger(__name__)


def _changed(run: HarvestRun) -> bool:
    return bool(run.new or run.updated or run.deleted)


@db_periodic_task(crontab(minute="*/10"))
def harvest_due_sources() -> None:
    """Harvest every OAI-PMH source whose schedule has come round (checked every ten minutes), then cluster."""
    now = timezone.localtime()
    changed = False
    for source in Source.objects.filter(is_active=True, way=Source.Way.OAI_PMH).exclude(schedule=rules.MANUAL):
        last = (
            source.runs.exclude(status=HarvestRun.Status.ABANDONED)
            .order_by("-id")
            .values_list("created_at", flat=True)
            .first()
        )
        if not rules.is_due(source.schedule, source.schedule_time, source.schedule_weekday, last_started=last, now=now):
            continue
        try:
            changed |= _changed(harvesting.harvest(source=source))
        except DomainError as exc:  # one member's provider being down must not stop the others
            logger.warning("scheduled harvest of %s failed: %s", source.code, exc.message)
    if changed:
        clustering.run()


@db_task()
def harvest_source(source_id: int, full: bool = False, actor_id: int | None = None) -> None:
    """Harvest one source now (a staff member asked), then cluster what changed."""
    source = Source.objects.select_related("library").get(pk=source_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run = harvesting.harvest(source=source, actor=actor, full=full)
    except DomainError as exc:  # the run keeps the error for the source's page
        logger.warning("harvest of %s failed: %s", source.code, exc.message)
        return
    if _changed(run):
        clustering.run(actor=actor)


@db_task()
def load_file(run_id: int) -> None:
    """Load an uploaded member file into its source's records, then cluster."""
    run = HarvestRun.objects.select_related("source__library", "actor").get(pk=run_id)
    # A duplicated or retried message must not load the same file twice: only a pending run starts.
    if not HarvestRun.objects.filter(pk=run.pk, status=HarvestRun.Status.PENDING).update(
        status=HarvestRun.Status.RUNNING
    ):
        return
    try:
        loaded = harvesting.load_file(
            source=run.source, path=Path(run.stored_path), actor=run.actor, replace=run.replace, run=run
        )
    except Exception:
        logger.exception("loading member file run %s failed", run.pk)
        return
    if _changed(loaded):
        clustering.run(actor=run.actor)
