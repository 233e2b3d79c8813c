"""Permission-checked fetches of items: API operations and pages ask here, never decide themselves.

An item is edited where it belongs: `holdings.edit` at its home library (a grant on a library covers its
subtree). Any staff member who may view the catalogue may look items up anywhere in the network.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from shelfmark.accounts import permissions
from shelfmark.core.errors import PermissionDenied
from shelfmark.holdings import selectors
from shelfmark.holdings.models import Item
from shelfmark.libraries.models import Library

EDIT = "holdings.edit"
VIEW = "catalog.view"


def may_edit(user: Any, library: Library) -> bool:
    """Tell whether `user` may add or change items held by `library`."""
    return permissions.has_perm(user, EDIT, library)


def require_view(user: Any) -> None:
    """Let in any staff member who may view the catalogue somewhere in the network."""
    if not permissions.has_perm(user, VIEW, None):
        raise PermissionDenied(_("没有查看馆藏的权限（catalog.view）。"))


def require_edit(user: Any, library: Library) -> None:
    """Refuse unless `user` may add or change items held by `library`."""
    if not may_edit(user, library):
        raise PermissionDenied(_("没有在 {library} 编辑馆藏的权限（holdings.edit）。"), library=library.code)


def get_item_for_view(user: Any, item_id: int) -> Item:
    """Return the item for reading, or raise PermissionDenied / ItemNotFound."""
    require_view(user)
    return selectors.get_item(item_id)


def find_item_for_view(user: Any, text: str) -> Item:
    """Return the item a scan names, for reading, or raise PermissionDenied / ItemNotFound."""
    require_view(user)
    return selectors.find_item_by_scan(text)


def get_item_for_edit(user: Any, item_id: int) -> Item:
    """Return the item for changing, or raise PermissionDenied / ItemNotFound; refuses before any write."""
    item = get_item_for_view(user, item_id)
    require_edit(user, item.home_library)
    return item
