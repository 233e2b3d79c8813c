"""Hand one queued notice to its channel's backend, at most once whatever retries or duplicate jobs happen."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import F
from django.utils import timezone

from shelfmark.notices import backends
from shelfmark.notices.models import Notice, Status

logger = logging.getLogger(__name__)


def deliver_notice(*, notice_id: int, now: datetime | None = None) -> Notice:
    """Claim the notice (queued → sending, committed before anything is sent), deliver it, record the outcome.

    Not atomic on purpose: the claim commits first, so a job that runs twice finds the notice taken and sends
    nothing. A crash while sending leaves it "sending" for staff to look at rather than risk a second message.
    """
    claimed = Notice.objects.filter(pk=notice_id, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1
    )
    notice = Notice.objects.get(pk=notice_id)
    if not claimed:
        return notice
    try:
        backend = backends.backend_for(notice.channel)
        notice.backend = f"{type(backend).__module__}.{type(backend).__qualname__}"[:100]
        status = backend.deliver(notice)
    except Exception as exc:
        logger.exception("Notice %s (%s by %s) failed", notice.pk, notice.kind, notice.channel)
        notice.status, notice.error = Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        notice.save(update_fields=["status", "error", "backend"])
        return notice
    notice.status, notice.error, notice.sent_at = status, "", now or timezone.now()
    notice.save(update_fields=["status", "error", "sent_at", "backend"])
    return notice
