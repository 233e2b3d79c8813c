"""Who may compose and publish a library's book lists: the one place that decides, for services and pages alike.

Recommending books is reader-services work, done by the librarians who catalogue or lend at a library, so a
staff member who holds `catalog.edit` or `circulation.operate` at a library (a cataloguer, a circulation
librarian or an administrator there or above) may compose, change, publish and withdraw that library's lists;
a viewer may not. `accounts.permissions` has no book-list permission of its own; if one is added, only
`COMPOSE_PERMISSIONS` changes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shelfmark.accounts import permissions
from shelfmark.booklists.errors import BookListNotFound
from shelfmark.booklists.models import BookList
from shelfmark.core.errors import PermissionDenied
from shelfmark.libraries.models import Library

COMPOSE_PERMISSIONS = ("catalog.edit", "circulation.operate")


def may_compose(user: Any, library: Library) -> bool:
    """Tell whether `user` may compose and publish book lists for `library`."""
    return any(permissions.has_perm(user, perm, library) for perm in COMPOSE_PERMISSIONS)


def require_compose(user: Any, library: Library) -> None:
    """Raise PermissionDenied naming the library unless `user` may compose its lists."""
    if not may_compose(user, library):
        raise PermissionDenied(
            _("您无权编辑或发布{library}（{code}）的书单。"), field="library", library=library.name, code=library.code
        )


def composable_libraries(user: Any) -> QuerySet[Library]:
    """Return the libraries whose lists `user` may compose, in tree order."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Library.objects.order_by("path")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Library.objects.none()
    paths = {path for perm in COMPOSE_PERMISSIONS for path in permissions.library_paths_for(user, perm) or []}
    if not paths:
        return Library.objects.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return Library.objects.filter(where).order_by("path")


def lists_for(user: Any) -> QuerySet[BookList]:
    """Return the lists `user` may compose, newest first."""
    return BookList.objects.filter(library__in=composable_libraries(user)).select_related("library").order_by("-id")


def get_list_for_compose(user: Any, list_id: int) -> BookList:
    """Return the list for changing, or raise BookListNotFound / PermissionDenied before anything is written."""
    try:
        book_list = BookList.objects.select_related("library").get(pk=list_id)
    except BookList.DoesNotExist:
        raise BookListNotFound(field="id", list_id=list_id) from None
    require_compose(user, book_list.library)
    return book_list
