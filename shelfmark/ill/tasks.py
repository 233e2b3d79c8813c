"""Background sending of ISO 18626 messages: queued after the service's transaction commits, retried with backoff."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from shelfmark.ill import delivery


@db_task()
def deliver_message(message_id: int) -> None:
    """Post one message to its partner; on a network failure schedule the next try (see delivery.RETRY_DELAYS)."""
    retry_in = delivery.deliver(message_id=message_id)
    if retry_in is not None:
        deliver_message.schedule((message_id,), delay=retry_in)
