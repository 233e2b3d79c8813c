"""The public /i/<code> address a QR label encodes."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.holdings import qr
from shelfmark.holdings.tests.factories import make_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("form", ["exact", "lower", "slash"])
def test_a_qr_address_leads_to_the_record(net, form):
    # given an item
    item = make_item(library=net.county)
    path = {"exact": f"/i/{item.qr_code}", "lower": f"/i/{item.qr_code.lower()}", "slash": f"/i/{item.qr_code}/"}
    # when anyone opens the address its QR code encodes
    response = Client().get(path[form])
    # then they are sent to the record's page
    assert response.status_code == 302
    assert response["Location"] == f"/records/{item.record_id}/"
    assert qr.payload(item).endswith(f"/i/{item.qr_code}")


def test_an_unknown_qr_address_says_so_in_chinese(net):
    response = Client().get("/i/ZZZZZZZZZZ")
    assert response.status_code == 404
    html = response.content.decode()
    assert "未找到单册" in html and "ZZZZZZZZZZ" in html
