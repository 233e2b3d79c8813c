"""Background delivery of notices: queued by services.send_notice once its transaction commits."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from shelfmark.notices import delivery


@db_task()
def deliver(notice_id: int) -> None:
    """Deliver one notice; a duplicate or retried run finds it claimed and sends nothing."""
    delivery.deliver_notice(notice_id=notice_id)
