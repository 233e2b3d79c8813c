"""An item's QR code as SVG and PNG decodes to its payload."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from shelfmark.holdings import qr
from shelfmark.holdings.tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_png_decodes_to_the_payload(net):
    item = make_item(library=net.county)
    data = qr.png(item, scale=5)
    assert data.startswith(b"\x89PNG")
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)).convert("L"))
    assert [r.text for r in found] == [f"http://127.0.0.1:8000/i/{item.qr_code}"]


def test_svg_is_a_standalone_drawing(net):
    item = make_item(library=net.county)
    drawing = qr.svg(item)
    assert drawing.startswith("<svg") and drawing.rstrip().endswith("</svg>")


def test_matrix_is_square_without_quiet_zone(net):
    item = make_item(library=net.county)
    modules = qr.matrix(qr.payload(item))
    assert len(modules) == len(modules[0]) >= 21
    # the three finder patterns: dark corners top-left, top-right and bottom-left, light bottom-right corner
    assert modules[0][0] and modules[0][-1] and modules[-1][0]
