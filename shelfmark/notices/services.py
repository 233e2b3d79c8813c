"""Queue notices to readers: stored in the outbox inside the caller's transaction, delivered after it commits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.core.jobs import enqueue_on_commit
from shelfmark.notices import tasks
from shelfmark.notices.models import REFERENCE_LENGTH, SUBJECT_LENGTH, Channel, Kind, Notice, Status
from shelfmark.notices.rendering import render_notice

PHONE = re.compile(r"^\+?[0-9][0-9 -]{4,19}$")


class InvalidNotice(InvalidInput):
    code = "invalid_notice"
    default_message: Any = _("通知无法发送：{problem}")


class NoticeNotFailed(InvalidInput):
    code = "notice_not_failed"
    default_message: Any = _("只有发送失败的通知才能重发。")


def _check(*, channel: str, to: str, subject: str, kind: str, reference: str) -> None:
    if channel not in Channel.values:
        raise InvalidNotice(field="channel", problem=_("未知渠道 {channel}").format(channel=channel))
    if kind not in Kind.values:
        raise InvalidNotice(field="kind", problem=_("未知通知类型 {kind}").format(kind=kind))
    if not reference or len(reference) > REFERENCE_LENGTH:
        raise InvalidNotice(field="reference", problem=_("关联对象须为 1 到 100 个字符"))
    if len(subject) > SUBJECT_LENGTH:
        raise InvalidNotice(field="subject", problem=_("标题过长"))
    if channel == Channel.EMAIL:
        try:
            validate_email(to)
        except ValidationError:
            raise InvalidNotice(field="to", problem=_("电子邮件地址无效")) from None
    elif not PHONE.match(to):
        raise InvalidNotice(field="to", problem=_("手机号码无效"))


@transaction.atomic
def send_notice(
    *, channel: str, to: str, subject: str, body: str, kind: str, reference: str, now: datetime | None = None
) -> Notice:
    """Put a notice in the outbox and deliver it once the caller's transaction commits.

    Idempotent per (channel, kind, reference): asking again returns the first notice and sends nothing more.
    """
    _check(channel=channel, to=to, subject=subject, kind=kind, reference=reference)
    notice, created = Notice.objects.get_or_create(
        channel=channel,
        kind=kind,
        reference=reference,
        defaults={"recipient": to, "subject": subject, "body": body, "created_at": now or timezone.now()},
    )
    if created:
        events.record(
            "notice.queued", target=notice, data={"kind": kind, "channel": channel, "reference": reference}, now=now
        )
        enqueue_on_commit(tasks.deliver, notice.pk)
    return notice


def notify(
    *,
    channel: str,
    to: str,
    kind: str,
    reference: str,
    context: Mapping[str, Any],
    language: str | None = None,
    now: datetime | None = None,
) -> Notice:
    """Render the kind's template in the reader's language and send it as a notice."""
    text = render_notice(kind, context, language)
    body = text.body if channel != Channel.SMS else text.body.strip()
    return send_notice(channel=channel, to=to, subject=text.subject, body=body, kind=kind, reference=reference, now=now)


@transaction.atomic
def retry_notice(*, notice: Notice, actor: Any, now: datetime | None = None) -> Notice:
    """Queue a failed notice again (e.g. after the mail server is fixed) and deliver it after commit."""
    if not Notice.objects.filter(pk=notice.pk, status=Status.FAILED).update(status=Status.QUEUED, error=""):
        raise NoticeNotFailed(field="status")
    events.record("notice.retried", actor=actor, target=notice, data={"kind": notice.kind}, now=now)
    enqueue_on_commit(tasks.deliver, notice.pk)
    notice.refresh_from_db()
    return notice
