"""Staff sign-in: Django's model backend, with the per-request user read that skips query compiling."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from shelfmark.core import rows


class StaffBackend(ModelBackend):
    """Authenticate as ModelBackend does; read the session's user on every request as one hand-written query.

    Every desk scan and kiosk call is a request that first loads its user: with the ORM that read cost more
    CPU than the check-out it authorises (see core.rows).
    """

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except Exception:  # a forged or stale session value: no user, as ModelBackend answers
            return None
        user = rows.select_one(model, "id = %s", [pk])
        return user if user is not None and self.user_can_authenticate(user) else None
