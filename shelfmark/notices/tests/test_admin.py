"""The outbox in the admin: listed, not editable, failed notices retried by an action."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core import mail

from shelfmark.notices.models import Notice, Status

pytestmark = pytest.mark.django_db


def make_notice(reference: str, status: str) -> Notice:
    return Notice.objects.create(
        channel="email",
        recipient="reader@example.cn",
        subject=f"通知 {reference}",
        body="正文",
        kind="overdue",
        reference=reference,
        status=status,
        created_at=datetime(2027, 3, 1, tzinfo=UTC),
    )


def test_the_outbox_lists_notices_and_offers_no_add(admin_client):
    make_notice("loan:1:overdue:1", Status.STORED)

    listing = admin_client.get("/admin/notices/notice/")
    add = admin_client.get("/admin/notices/notice/add/")

    assert listing.status_code == 200
    assert "通知 loan:1:overdue:1" in listing.content.decode()
    assert add.status_code == 403


def test_the_retry_action_requeues_and_sends_only_failed_notices(
    admin_client, settings, django_capture_on_commit_callbacks
):
    settings.SHELFMARK_NOTICE_BACKENDS = {"email": "shelfmark.notices.backends.EmailBackend"}
    failed = make_notice("loan:1:overdue:1", Status.FAILED)
    stored = make_notice("loan:2:overdue:1", Status.STORED)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/notices/notice/",
            {"action": "retry_failed", "_selected_action": [str(failed.pk), str(stored.pk)]},
        )

    failed.refresh_from_db()
    stored.refresh_from_db()
    assert response.status_code == 302
    assert (failed.status, stored.status) == (Status.SENT, Status.STORED)
    assert [m.subject for m in mail.outbox] == ["通知 loan:1:overdue:1"]
