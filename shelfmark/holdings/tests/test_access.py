"""Who may look items up and who may change them: holdings.edit at the item's home library (and below)."""

from __future__ import annotations

import pytest

from shelfmark.core.errors import PermissionDenied
from shelfmark.holdings import access
from shelfmark.holdings.tests.factories import make_item

pytestmark = pytest.mark.django_db

# (who, where the item belongs, may edit); every staff member may read
MATRIX = [
    ("viewer", "county", False),
    ("circulation", "county", False),
    ("county", "county", True),
    ("county", "township", True),
    ("county", "other_county", False),
    ("county", "city", False),
    ("other_county", "county", False),
    ("other_county", "other_county", True),
    ("city", "county", True),
    ("city", "other_county", True),
    ("city", "province", False),
    ("superuser", "province", True),
]


@pytest.mark.parametrize(("who", "where", "may_edit"), MATRIX)
def test_permission_matrix(who, where, may_edit, net, staff):
    # given an item held at `where`
    item = make_item(library=getattr(net, where))
    user = getattr(staff, who)
    # then reading and editing are allowed exactly as the matrix says
    assert access.get_item_for_view(user, item.pk).pk == item.pk
    assert access.may_edit(user, item.home_library) is may_edit
    if may_edit:
        assert access.get_item_for_edit(user, item.pk).pk == item.pk
    else:
        with pytest.raises(PermissionDenied) as refused:
            access.get_item_for_edit(user, item.pk)
        assert refused.value.code == "permission_denied"
        assert item.home_library.code in refused.value.message and "holdings.edit" in refused.value.message


def test_anonymous_may_not_even_look(net):
    from django.contrib.auth.models import AnonymousUser

    item = make_item(library=net.county)
    with pytest.raises(PermissionDenied):
        access.get_item_for_view(AnonymousUser(), item.pk)
    with pytest.raises(PermissionDenied):
        access.find_item_for_view(AnonymousUser(), item.barcode)
