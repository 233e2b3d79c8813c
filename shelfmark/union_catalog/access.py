"""Who may do what in the union catalogue: the one place that decides, for services and pages alike.

- A member source is configured, harvested and fed files by those who manage its library
  (`libraries.manage` at the source's node or above).
- Clusters, candidates and decisions are read by anyone with `catalog.view`.
- Merging, splitting and pinning decisions change the network's joint bibliographic database, which the
  provincial library keeps as the alliance's hub (issue 6): they need `catalog.edit` at the root of the network
  tree, so a county cataloguer's decision cannot reshape what every member sees.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shelfmark.accounts import permissions
from shelfmark.core.errors import PermissionDenied
from shelfmark.libraries.models import Library

MANAGE = "libraries.manage"
VIEW = "catalog.view"
DECIDE = "catalog.edit"


def hub() -> Library | None:
    """The root of the network tree: the library that keeps the union catalogue."""
    return Library.objects.filter(parent__isnull=True).order_by("path").first()


def may_manage(user: Any, library: Library) -> bool:
    return permissions.has_perm(user, MANAGE, library)


def require_manage(user: Any, library: Library) -> None:
    """Raise PermissionDenied naming the library unless `user` may manage its member source."""
    if not may_manage(user, library):
        raise PermissionDenied(
            _("您无权管理{library}（{code}）的成员馆来源。"), field="library", library=library.name, code=library.code
        )


def manageable_libraries(user: Any) -> QuerySet[Library]:
    """The libraries whose member source `user` may set up, in tree order."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return Library.objects.order_by("path")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Library.objects.none()
    paths = permissions.library_paths_for(user, MANAGE) or []
    if not paths:
        return Library.objects.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return Library.objects.filter(where).order_by("path")


def may_view(user: Any) -> bool:
    return permissions.has_perm(user, VIEW)


def require_view(user: Any) -> None:
    if not may_view(user):
        raise PermissionDenied(_("您无权查看联合书目。"))


def may_decide(user: Any) -> bool:
    root = hub()
    return root is not None and permissions.has_perm(user, DECIDE, root)


def require_decide(user: Any) -> None:
    """Raise PermissionDenied unless `user` may merge, split and pin decisions (catalog.edit at the hub)."""
    if not may_decide(user):
        raise PermissionDenied(_("合并、拆分聚类需要全网（总馆）的编目权限。"))
