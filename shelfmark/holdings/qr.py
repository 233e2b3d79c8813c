"""The QR code of an item: its payload URL and the code drawn as SVG or PNG (segno), or as a module matrix."""

from __future__ import annotations

import io

import segno
from django.conf import settings

from shelfmark.holdings.models import Item

# Level M survives about 15% damage: labels get scuffed, and the payload is short enough to stay small.
ERROR_LEVEL = "m"


def payload(item: Item) -> str:
    """Return what the QR code encodes: `<base URL>/i/<code>`, which a phone opens and a desk scanner reads."""
    return f"{settings.SHELFMARK_BASE_URL}/i/{item.qr_code}"


def make(item: Item) -> segno.QRCode:
    """Return the item's QR code symbol (never a Micro QR: phones do not read those)."""
    return segno.make(payload(item), error=ERROR_LEVEL, micro=False)


def svg(item: Item, *, scale: int = 4, border: int = 4) -> str:
    """Return the QR code as an SVG document, for pages and for printing one label."""
    out = io.BytesIO()
    make(item).save(out, kind="svg", scale=scale, border=border, xmldecl=False)
    return out.getvalue().decode("utf-8")


def png(item: Item, *, scale: int = 4, border: int = 4) -> bytes:
    """Return the QR code as a PNG image."""
    out = io.BytesIO()
    make(item).save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


def matrix(text: str) -> list[list[bool]]:
    """Return the dark (True) and light modules of the QR code for `text`, without quiet zone, for drawing."""
    symbol = segno.make(text, error=ERROR_LEVEL, micro=False)
    return [[bool(module) for module in row] for row in symbol.matrix]
