"""Queueing and delivering notices: after commit, at most once, through the configured backend."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import transaction

from shelfmark.core.models import AuditEvent
from shelfmark.notices import delivery, services, tasks
from shelfmark.notices.models import Notice, Status

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
EMAIL_BACKENDS = {"email": "shelfmark.notices.backends.EmailBackend"}


def send(**overrides):
    values = {
        "channel": "email",
        "to": "reader@example.cn",
        "subject": "预约图书已到馆",
        "body": "您预约的《红楼梦》已到馆。",
        "kind": "hold_ready",
        "reference": "hold:42",
        "now": NOW,
    }
    return services.send_notice(**{**values, **overrides})


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_notice_is_stored_in_the_outbox_after_commit_by_default(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notice = send()
        assert Notice.objects.get(pk=notice.pk).status == Status.QUEUED

    notice.refresh_from_db()
    assert len(callbacks) == 1
    assert (notice.status, notice.recipient, notice.created_at, notice.attempts) == (
        Status.STORED,
        "reader@example.cn",
        NOW,
        1,
    )
    assert notice.backend == "shelfmark.notices.backends.OutboxBackend"
    assert notice.sent_at is not None
    assert mail.outbox == []
    event = AuditEvent.objects.get(kind="notice.queued")
    assert event.data == {"kind": "hold_ready", "channel": "email", "reference": "hold:42"}


def test_the_email_backend_sends_through_django_mail(settings, django_capture_on_commit_callbacks):
    settings.SHELFMARK_NOTICE_BACKENDS = EMAIL_BACKENDS
    settings.DEFAULT_FROM_EMAIL = "noreply@library.example.cn"

    with django_capture_on_commit_callbacks(execute=True):
        notice = send()

    notice.refresh_from_db()
    assert notice.status == Status.SENT
    assert [(m.to, m.subject, m.body, m.from_email) for m in mail.outbox] == [
        (["reader@example.cn"], "预约图书已到馆", "您预约的《红楼梦》已到馆。", "noreply@library.example.cn")
    ]


def test_asking_twice_for_the_same_notice_sends_it_once(settings, django_capture_on_commit_callbacks):
    settings.SHELFMARK_NOTICE_BACKENDS = EMAIL_BACKENDS

    with django_capture_on_commit_callbacks(execute=True):
        first = send()
    with django_capture_on_commit_callbacks(execute=True) as again:
        second = send(body="第二次")

    assert second.pk == first.pk
    assert again == []
    assert Notice.objects.count() == 1
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(kind="notice.queued").count() == 1


def test_a_retried_delivery_job_sends_nothing_more(settings, django_capture_on_commit_callbacks):
    settings.SHELFMARK_NOTICE_BACKENDS = EMAIL_BACKENDS
    with django_capture_on_commit_callbacks(execute=True):
        notice = send()

    tasks.deliver(notice.pk)
    again = delivery.deliver_notice(notice_id=notice.pk)

    assert (again.status, again.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1


def test_nothing_is_queued_or_sent_when_the_callers_transaction_rolls_back(
    settings, django_capture_on_commit_callbacks
):
    settings.SHELFMARK_NOTICE_BACKENDS = EMAIL_BACKENDS

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send()
        raise RuntimeError("check-in failed")

    assert Notice.objects.count() == 0
    assert mail.outbox == []


def test_a_failing_mail_server_marks_the_notice_failed_and_a_retry_sends_it(
    settings, django_capture_on_commit_callbacks, admin_user
):
    # given a mail server that refuses connections
    settings.SHELFMARK_NOTICE_BACKENDS = EMAIL_BACKENDS
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", unused_port(), 2

    with django_capture_on_commit_callbacks(execute=True):
        notice = send()

    notice.refresh_from_db()
    assert notice.status == Status.FAILED
    assert "ConnectionRefusedError" in notice.error
    assert notice.sent_at is None

    # when the server is fixed and staff retry
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_notice(notice=notice, actor=admin_user)

    notice.refresh_from_db()
    assert (notice.status, notice.error, notice.attempts) == (Status.SENT, "", 2)
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.get(kind="notice.retried").actor == admin_user


def test_only_failed_notices_can_be_retried(django_capture_on_commit_callbacks, admin_user):
    with django_capture_on_commit_callbacks(execute=True):
        notice = send()

    with pytest.raises(services.NoticeNotFailed):
        services.retry_notice(notice=notice, actor=admin_user)

    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Status.STORED, 1)


def test_a_backend_that_does_not_serve_the_channel_fails_the_notice_not_the_caller(
    settings, django_capture_on_commit_callbacks
):
    settings.SHELFMARK_NOTICE_BACKENDS = {"sms": "shelfmark.notices.backends.EmailBackend"}

    with django_capture_on_commit_callbacks(execute=True):
        notice = send(channel="sms", to="13812345678", subject="")

    notice.refresh_from_db()
    assert notice.status == Status.FAILED
    assert "does not send 'sms'" in notice.error


def test_the_logging_sms_backend_logs_a_masked_number_and_keeps_the_notice_as_stored(
    settings, django_capture_on_commit_callbacks, caplog
):
    settings.SHELFMARK_NOTICE_BACKENDS = {"sms": "shelfmark.notices.backends.LoggingSmsBackend"}

    with (
        caplog.at_level(logging.INFO, logger="shelfmark.notices.backends"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notice = send(channel="sms", to="13812345678", subject="")

    notice.refresh_from_db()
    assert notice.status == Status.STORED
    assert caplog.messages == ["SMS to 138****5678: 您预约的《红楼梦》已到馆。"]


def test_notify_renders_the_template_in_the_readers_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notify(
            channel="email",
            to="reader@example.cn",
            kind="hold_expired",
            reference="hold:7:expired",
            context={
                "patron_name": "Li Lei",
                "library_name": "Shenyang Library",
                "title": "Dream",
                "pickup_name": "Desk 1",
            },
            language="en",
        )

    assert notice.subject == "[Shenyang Library] Your hold has expired"
    assert notice.body.startswith("Dear Li Lei,\n\nDream was not collected from Desk 1 in time")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"kind": "birthday"}, "kind"),
        ({"reference": ""}, "reference"),
        ({"reference": "x" * 101}, "reference"),
        ({"subject": "长" * 201}, "subject"),
        ({"to": "not-an-address"}, "to"),
        ({"channel": "sms", "to": "call me"}, "to"),
    ],
)
def test_bad_notices_are_refused_naming_the_field_and_nothing_is_queued(
    overrides, field, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(services.InvalidNotice) as refused,
    ):
        send(**overrides)

    assert refused.value.field == field
    assert Notice.objects.count() == 0
    assert callbacks == []
