"""The one place that decides whether a staff member may do something at a library."""

from __future__ import annotations

from typing import Any

from django.db import connection

from shelfmark.accounts.models import Role
from shelfmark.core.errors import PermissionDenied
from shelfmark.libraries.models import Library

# What each role may do; a grant on a library covers that library and its whole subtree.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {
            "catalog.view",
            "catalog.edit",
            "catalog.import",
            "holdings.edit",
            "libraries.manage",
            "circulation.operate",
            "circulation.override",
            "patrons.view",
            "patrons.edit",
            "alliance.view",
            "alliance.edit",
            "ill.operate",
        }
    ),
    # Local documents (地方文献) are catalogue work; the alliance reports show counts only, so viewers read them.
    Role.CATALOGUER: frozenset(
        {"catalog.view", "catalog.edit", "catalog.import", "holdings.edit", "alliance.view", "alliance.edit"}
    ),
    Role.CIRCULATION: frozenset(
        {"catalog.view", "circulation.operate", "circulation.override", "patrons.view", "patrons.edit", "ill.operate"}
    ),
    Role.VIEWER: frozenset({"catalog.view", "patrons.view", "alliance.view"}),
}


def _grants(user: Any) -> list[tuple[str, str]]:
    """Return (role, library path) pairs of the user, cached on the user object for the request."""
    cached = getattr(user, "_shelfmark_grants", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT g.role, l.path FROM accounts_rolegrant g JOIN libraries_library l ON l.id = g.library_id"
                " WHERE g.user_id = %s",
                [user.pk],
            )
            cached = [(role, path) for role, path in cursor.fetchall()]
        user._shelfmark_grants = cached
    return cached


def has_perm(user: Any, perm: str, library: Library | None = None) -> bool:
    """Tell whether `user` may do `perm` at `library` (anywhere in the network when library is None)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    for role, path in _grants(user):
        if perm in ROLE_PERMISSIONS.get(role, frozenset()) and (library is None or library.path.startswith(path)):
            return True
    return False


def require(user: Any, perm: str, library: Library | None = None) -> None:
    """Raise PermissionDenied unless `user` may do `perm` at `library`."""
    if not has_perm(user, perm, library):
        where = f" at {library.code}" if library is not None else ""
        raise PermissionDenied(f"Permission {perm} is not granted{where}.")


def library_paths_for(user: Any, perm: str) -> list[str] | None:
    """Return the subtree paths where `user` has `perm`; None means the whole network."""
    if user.is_superuser:
        return None
    return [path for role, path in _grants(user) if perm in ROLE_PERMISSIONS.get(role, frozenset())]
