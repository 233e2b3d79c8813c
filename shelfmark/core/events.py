"""Append audit events from inside a service's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from shelfmark.core import rows
from shelfmark.core.models import AuditEvent


def staff_user(actor: Any) -> Any:
    """Return the actor when it is a saved, signed-in user (what an actor foreign key may point at), else None:
    kiosks, readers and the system act too, and are named in the event's data instead."""
    return actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None


def record(
    kind: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one audit event naming its actor and target object."""
    user = staff_user(actor)
    return rows.insert(
        AuditEvent(
            kind=kind,
            actor=user,
            object_type=target._meta.label_lower if target is not None else "",
            object_id=str(target.pk) if target is not None else "",
            data=data or {},
            created_at=now or timezone.now(),
        )
    )


def record_many(kind: str, *, actor: Any = None, data: list[dict[str, Any]], now: datetime | None = None) -> None:
    """Append one event per item in bulk, for batch services such as MARC import."""
    user = staff_user(actor)
    stamp = now or timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            kind=kind,
            actor=user,
            object_type=d.pop("object_type", ""),
            object_id=str(d.pop("object_id", "")),
            data=d,
            created_at=stamp,
        )
        for d in data
    )
