"""The admin finds items by barcode or QR code and shows their history, but changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.holdings import services
from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_admin_searches_by_barcode_and_qr_code(net, staff):
    wanted = make_item(library=net.county, barcode="LN-000555")
    other = make_item(library=net.county, barcode="LN-000556")
    client = Client()
    client.force_login(staff.superuser)
    for query in (wanted.barcode, wanted.qr_code):
        html = client.get("/admin/holdings/item/", {"q": query}).content.decode()
        assert wanted.barcode in html and other.barcode not in html


def test_admin_shows_an_item_with_its_history_read_only(net, staff):
    item = make_item(library=net.county)
    services.change_status(item=item, status=ItemStatus.DAMAGED, actor=None, reason="水渍")
    client = Client()
    client.force_login(staff.superuser)
    response = client.get(f"/admin/holdings/item/{item.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "水渍" in html and 'name="_save"' not in html
    assert client.get("/admin/holdings/item/add/").status_code == 403
