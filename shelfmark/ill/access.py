"""Who may work on which request: every check goes through accounts.permissions ("ill.operate")."""

from __future__ import annotations

from typing import Any

from shelfmark.accounts import permissions
from shelfmark.core.errors import NotFound, PermissionDenied
from shelfmark.ill.models import Request
from shelfmark.libraries.models import Library

OPERATE = "ill.operate"


def may_operate(user: Any, library: Library | None) -> bool:
    """Tell whether the staff member may work the ILL queues of `library`."""
    return library is not None and permissions.has_perm(user, OPERATE, library)


def require_operate(user: Any, library: Library) -> None:
    permissions.require(user, OPERATE, library)


def request_for(user: Any, request_id: int) -> Request:
    """Fetch a request the staff member may act on at its borrowing or its lending library, else refuse."""
    request = (
        Request.objects.select_related(
            "requesting_library",
            "supplying_library",
            "requesting_partner",
            "supplying_partner",
            "patron",
            "record",
            "pickup_library",
            "lent_item",
            "borrowed_item",
        )
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(field="id")
    if not (may_operate(user, request.requesting_library) or may_operate(user, request.supplying_library)):
        raise PermissionDenied(f"Permission {OPERATE} is not granted for ILL request {request_id}.")
    return request


def libraries_for(user: Any) -> list[Library]:
    """The libraries whose ILL queues the staff member may open."""
    paths = permissions.library_paths_for(user, OPERATE)
    libraries = Library.objects.filter(is_active=True)
    if paths is None:
        return list(libraries)
    if not paths:
        return []
    return [library for library in libraries if any(library.path.startswith(path) for path in paths)]
