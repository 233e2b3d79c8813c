"""Deliver one kept ISO 18626 message and record the outcome on it and on its request's log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shelfmark.core import events
from shelfmark.ill import transport
from shelfmark.ill.models import OutgoingMessage, RequestEvent

# Seconds before each further try after a network failure; after the last one the message stays FAILED
# (staff see it on the request page and can send it again).
RETRY_DELAYS = (30, 120, 600, 3600, 6 * 3600)


def deliver(*, message_id: int) -> int | None:
    """Post the message unless already confirmed; return the seconds until the next try, or None for no retry."""
    message = OutgoingMessage.objects.select_related("partner").filter(pk=message_id).first()
    if message is None or message.state in (OutgoingMessage.State.SENT, OutgoingMessage.State.REJECTED):
        return None
    # A partner must read a request's messages in order: wait while an earlier one is still undelivered.
    if OutgoingMessage.objects.filter(
        request_id=message.request_id,
        id__lt=message.pk,
        state__in=(OutgoingMessage.State.PENDING, OutgoingMessage.State.FAILED),
    ).exists():
        return RETRY_DELAYS[0]
    # The post happens outside any transaction: a slow partner must not hold our locks.
    outcome = transport.post(message.partner.endpoint_url, message.body.encode("utf-8"))
    now = timezone.now()
    with transaction.atomic():
        message = OutgoingMessage.objects.select_for_update().get(pk=message_id)
        message.attempts += 1
        retry_in: int | None = None
        if outcome.confirmation is None:
            message.state = OutgoingMessage.State.FAILED
            message.error = outcome.problem[:2000]
            if message.attempts <= len(RETRY_DELAYS):
                retry_in = RETRY_DELAYS[message.attempts - 1]
        elif outcome.confirmation.status == "ERROR":
            message.state = OutgoingMessage.State.REJECTED
            message.error = f"{outcome.confirmation.error_type}: {outcome.confirmation.error_value}"[:2000]
            request = message.request
            RequestEvent.objects.create(
                request=request,
                from_status=request.status,
                to_status=request.status,
                note=f"{message.partner.name}: {message.kind} ERROR {message.error}",
                at=now,
            )
        else:
            message.state = OutgoingMessage.State.SENT
            message.sent_at = now
            message.error = ""
        message.save(update_fields=["attempts", "state", "error", "sent_at"])
        events.record(
            "ill.message_delivered" if message.state == OutgoingMessage.State.SENT else "ill.message_failed",
            target=message.request,
            data={"message": message.pk, "kind": message.kind, "state": message.state, "error": message.error[:200]},
            now=now,
        )
    return retry_in
