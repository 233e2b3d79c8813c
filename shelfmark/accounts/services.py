"""Writes to staff accounts and their role grants."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from shelfmark.accounts.models import RoleGrant
from shelfmark.core import events
from shelfmark.libraries.models import Library


@transaction.atomic
def create_staff(
    *,
    username: str,
    password: str,
    library: Library,
    roles: list[str],
    name: str = "",
    is_superuser: bool = False,
    actor: Any = None,
) -> Any:
    """Create (or reset) a staff login holding `roles` on `library`'s subtree."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.first_name = name
    user.is_staff = True
    user.is_superuser = is_superuser
    user.set_password(password)
    user.save()
    for role in roles:
        RoleGrant.objects.get_or_create(user=user, role=role, library=library)
    events.record("staff.created", actor=actor, target=user, data={"roles": roles, "library": library.code})
    return user


@transaction.atomic
def grant_role(*, user: Any, role: str, library: Library, actor: Any = None) -> RoleGrant:
    """Grant `role` on `library` and its subtree (idempotent)."""
    grant, _ = RoleGrant.objects.get_or_create(user=user, role=role, library=library)
    events.record("staff.role_granted", actor=actor, target=user, data={"role": role, "library": library.code})
    return grant
