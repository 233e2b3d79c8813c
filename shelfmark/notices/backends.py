"""Ways a notice leaves the platform, chosen per channel by settings.SHELFMARK_NOTICE_BACKENDS.

The default for every channel is the outbox: the Notice row is the record of what would be sent, and nothing
leaves the machine. Production points email at EmailBackend (Django's mail settings, EMAIL_HOST and friends) and
SMS at an SmsBackend wrapping the provider's gateway.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from shelfmark.notices.models import Channel, Notice, Status

DEFAULT_BACKENDS = {
    Channel.EMAIL: "shelfmark.notices.backends.OutboxBackend",
    Channel.SMS: "shelfmark.notices.backends.OutboxBackend",
}

logger = logging.getLogger(__name__)


class NoticeBackend(Protocol):
    """Delivers notices of its channels; returns the status reached (sent or stored) or raises to fail."""

    channels: frozenset[str]

    def deliver(self, notice: Notice) -> str: ...


class SmsGateway(Protocol):
    """An SMS provider: sends one text to one phone number or raises."""

    def send_sms(self, *, to: str, text: str) -> None: ...


class OutboxBackend:
    """Keep the notice in the outbox as the record of what would be sent; send nothing."""

    channels = frozenset(Channel.values)

    def deliver(self, notice: Notice) -> str:
        return Status.STORED


class EmailBackend:
    """Send by email through Django's mail settings (EMAIL_BACKEND, EMAIL_HOST, DEFAULT_FROM_EMAIL, ...)."""

    channels = frozenset({Channel.EMAIL})

    def deliver(self, notice: Notice) -> str:
        send_mail(notice.subject, notice.body, settings.DEFAULT_FROM_EMAIL, [notice.recipient], fail_silently=False)
        return Status.SENT


class SmsBackend:
    """Send SMS through a provider's gateway: the subject is dropped, a text message carries the body only."""

    channels = frozenset({Channel.SMS})

    def __init__(self, gateway: SmsGateway) -> None:
        self.gateway = gateway

    def deliver(self, notice: Notice) -> str:
        self.gateway.send_sms(to=notice.recipient, text=notice.body)
        return Status.SENT


class LoggingSmsGateway:
    """Write the text to the log with the number masked, for development and machines without a provider."""

    def send_sms(self, *, to: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(to), text)


class LoggingSmsBackend(SmsBackend):
    """Log text messages instead of sending them; the notice stays in the outbox as stored."""

    def __init__(self) -> None:
        super().__init__(LoggingSmsGateway())

    def deliver(self, notice: Notice) -> str:
        super().deliver(notice)
        return Status.STORED


def mask_phone(number: str) -> str:
    """Show the first three and last four digits of a phone number, so logs carry no whole number."""
    return number[:3] + "*" * max(len(number) - 7, 0) + number[-4:] if len(number) > 7 else "*" * len(number)


def backend_for(channel: str) -> NoticeBackend:
    """Return the configured backend for a channel, refusing one that does not serve it."""
    paths = {**DEFAULT_BACKENDS, **getattr(settings, "SHELFMARK_NOTICE_BACKENDS", {})}
    if channel not in paths:
        raise ImproperlyConfigured(f"No notice backend for channel {channel!r} in SHELFMARK_NOTICE_BACKENDS.")
    backend: NoticeBackend = import_string(paths[channel])()
    if channel not in backend.channels:
        raise ImproperlyConfigured(f"Notice backend {paths[channel]} does not send {channel!r} notices.")
    return backend
