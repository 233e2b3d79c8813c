"""Every staff page leads to every module: the navigation of the staff workbench."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


def test_the_navigation_links_every_module_and_marks_the_current_one(client: Client):
    net = make_network()
    clerk = accounts.create_staff(
        username="kp-desk", password="pw-123456", library=net.county, roles=[Role.CIRCULATION]
    )
    client.force_login(clerk)

    page = client.get("/staff/ill/").content.decode()

    nav = page[page.index('<nav aria-label="主导航">') : page.index("</nav>")]
    for href, label in [
        ("/staff/", "首页"),
        ("/staff/catalog/", "书目"),
        ("/staff/lists/", "书单"),
        ("/staff/ill/", "馆际互借"),
        ("/staff/union/", "联合目录"),
        ("/staff/alliance/", "联盟"),
    ]:
        assert f'<a href="{href}"' in nav and f">{label}</a>" in nav, (href, label)
    assert nav.count('aria-current="page"') == 1
    assert '<a href="/staff/ill/" aria-current="page">馆际互借</a>' in nav
