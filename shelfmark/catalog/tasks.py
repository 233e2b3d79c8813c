"""Background work of the catalogue: run an uploaded MARC import and keep its ImportJob up to date."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from shelfmark.catalog import services
from shelfmark.catalog.models import ImportJob
from shelfmark.core import events
from shelfmark.core.errors import DomainError
from shelfmark.core.jobs import enqueue_on_commit
from shelfmark.libraries.models import Library

BATCH_SIZE = 500
logger = logging.getLogger(__name__)


def upload_dir() -> Path:
    """Where uploaded MARC files and their reject files are kept (inside the data dir)."""
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def queue_import(*, upload: UploadedFile, library: Library | None, options: dict[str, str], actor: Any) -> ImportJob:
    """Store the uploaded file, record a pending ImportJob, and run it once this transaction commits."""
    name = Path(upload.name or "upload.mrc").name
    stored = upload_dir() / f"{uuid.uuid4().hex}{Path(name).suffix[:10]}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = ImportJob.objects.create(
        file_name=name[:255],
        stored_path=str(stored),
        options=options,
        total_bytes=stored.stat().st_size,
        library=library,
        actor=actor,
    )
    events.record("catalog.import_queued", actor=actor, target=job, data={"file": name, **options})
    enqueue_on_commit(run_import, job.pk)
    return job


@db_task()
def run_import(job_id: int) -> None:
    """Import the job's file; the import reports progress, counts and rejects onto the job as it goes."""
    job = ImportJob.objects.select_related("library", "actor").get(pk=job_id)
    # A duplicated or retried message must not run the same file twice: only a pending job starts.
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    ):
        return
    options = job.options or {}
    try:
        services.import_marc(
            source=Path(job.stored_path),
            actor=job.actor,
            library=job.library,
            marc_format=options.get("marc_format", "auto"),
            encoding=options.get("encoding", "auto"),
            match=options.get("match", "isbn"),
            batch_size=BATCH_SIZE,
            reject_path=Path(job.stored_path + ".rejects"),
            job=job,
        )
    except Exception as exc:
        # The job page shows why; the batches that landed before stay, and a re-upload updates them.
        logger.exception("MARC import job %s failed", job.pk)
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        _finish(job, ImportJob.Status.FAILED, error=message[:2000])
        return
    _finish(job, ImportJob.Status.DONE)


def _finish(job: ImportJob, status: str, *, error: str = "") -> None:
    ImportJob.objects.filter(pk=job.pk).update(status=status, error=error, finished_at=timezone.now())
