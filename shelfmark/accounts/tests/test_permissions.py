import pytest

from shelfmark.accounts import permissions, services
from shelfmark.accounts.models import Role
from shelfmark.core.errors import PermissionDenied
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "perm", "where", "allowed"),
    [
        (Role.CATALOGUER, "catalog.edit", "county", True),
        (Role.CATALOGUER, "catalog.edit", "township", True),
        (Role.CATALOGUER, "catalog.edit", "other_county", False),
        (Role.CATALOGUER, "catalog.edit", "city", False),
        (Role.CATALOGUER, "holdings.edit", "township", True),
        (Role.CATALOGUER, "circulation.operate", "county", False),
        (Role.CIRCULATION, "circulation.operate", "township", True),
        (Role.CIRCULATION, "catalog.edit", "county", False),
        (Role.VIEWER, "catalog.view", "county", True),
        (Role.VIEWER, "catalog.edit", "county", False),
        (Role.ADMIN, "libraries.manage", "township", True),
        (Role.ADMIN, "libraries.manage", "province", False),
    ],
)
def test_a_county_grant_covers_its_subtree_only(role, perm, where, allowed):
    net = make_network()
    user = services.create_staff(username="kp", password="pw-123456", library=net.county, roles=[role])

    assert permissions.has_perm(user, perm, getattr(net, where)) is allowed


def test_superuser_may_do_anything_and_anonymous_nothing():
    net = make_network()
    root = services.create_staff(
        username="root", password="pw-123456", library=net.province, roles=[], is_superuser=True
    )
    from django.contrib.auth.models import AnonymousUser

    assert permissions.has_perm(root, "libraries.manage", net.province) is True
    assert permissions.has_perm(AnonymousUser(), "catalog.view", net.province) is False


def test_require_names_the_permission_and_library():
    net = make_network()
    user = services.create_staff(username="kp", password="pw-123456", library=net.county, roles=[Role.CATALOGUER])

    with pytest.raises(PermissionDenied) as refused:
        permissions.require(user, "catalog.edit", net.other_county)

    assert refused.value.message == "Permission catalog.edit is not granted at LN-SY-FK."
    assert permissions.library_paths_for(user, "catalog.edit") == [net.county.path]
