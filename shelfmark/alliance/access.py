"""Who may register local documents and read the alliance's reports: the one place that decides.

`alliance.edit` at a library (administrators and cataloguers there or above) lets a librarian register, change
and withdraw that library's local documents; `alliance.view` anywhere (those roles and viewers) lets one read the
province-wide gap report and the scorecards, which show counts, never readers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from shelfmark.accounts import permissions
from shelfmark.alliance.errors import LocalDocumentNotFound
from shelfmark.alliance.models import LocalDocument
from shelfmark.core.errors import PermissionDenied
from shelfmark.libraries.models import Library

EDIT = "alliance.edit"
VIEW = "alliance.view"


def may_edit(user: Any, library: Library) -> bool:
    """Tell whether `user` may register local documents for `library`."""
    return permissions.has_perm(user, EDIT, library)


def require_edit(user: Any, library: Library) -> None:
    """Raise PermissionDenied naming the library unless `user` may register its local documents."""
    if not may_edit(user, library):
        raise PermissionDenied(
            _("您无权登记或修改{library}（{code}）的地方文献。"),
            field="library",
            library=library.name,
            code=library.code,
        )


def may_view(user: Any) -> bool:
    """Tell whether `user` may read the alliance's reports (gap report, scorecards)."""
    return permissions.has_perm(user, VIEW) or permissions.has_perm(user, EDIT)


def require_view(user: Any) -> None:
    """Raise PermissionDenied unless `user` may read the alliance's reports."""
    if not may_view(user):
        raise PermissionDenied(_("您无权查看图书馆联盟的报表。"))


def editable_libraries(user: Any) -> QuerySet[Library]:
    """Return the libraries whose local documents `user` may register, in tree order."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Library.objects.none()
    paths = permissions.library_paths_for(user, EDIT)
    if paths is None:
        return Library.objects.order_by("path")
    if not paths:
        return Library.objects.none()
    where = Q()
    for path in paths:
        where |= Q(path__startswith=path)
    return Library.objects.filter(where).order_by("path")


def get_document_for_edit(user: Any, document_id: int) -> LocalDocument:
    """Return the document for changing, or raise LocalDocumentNotFound / PermissionDenied before any write."""
    try:
        document = LocalDocument.objects.select_related("library", "region", "record").get(pk=document_id)
    except LocalDocument.DoesNotExist:
        raise LocalDocumentNotFound(field="id", document_id=document_id) from None
    require_edit(user, document.library)
    return document
