"""Many workers asking for the same notice at once: one row, one message (PostgreSQL row locks and unique index)."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection

from shelfmark.notices import delivery, services
from shelfmark.notices.models import Notice, Status

# available_apps makes the flush after the test TRUNCATE ... CASCADE, past the catalogue's raw-SQL search table.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()])

WORKERS = 8


def run_together(work) -> list[BaseException]:
    barrier = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_requests_for_one_notice_send_it_once(settings):
    settings.SHELFMARK_NOTICE_BACKENDS = {"email": "shelfmark.notices.backends.EmailBackend"}

    errors = run_together(
        lambda: services.send_notice(
            channel="email",
            to="reader@example.cn",
            subject="逾期通知",
            body="请尽快归还。",
            kind="overdue",
            reference="loan:9:overdue:1",
        )
    )

    assert errors == []
    notice = Notice.objects.get()
    assert (notice.status, notice.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_deliveries_of_one_notice_send_it_once(settings, django_capture_on_commit_callbacks):
    settings.SHELFMARK_NOTICE_BACKENDS = {"email": "shelfmark.notices.backends.EmailBackend"}
    with django_capture_on_commit_callbacks(execute=False):
        notice = services.send_notice(
            channel="email", to="reader@example.cn", subject="", body="x", kind="overdue", reference="loan:1"
        )

    errors = run_together(lambda: delivery.deliver_notice(notice_id=notice.pk))

    notice.refresh_from_db()
    assert errors == []
    assert (notice.status, notice.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 1
