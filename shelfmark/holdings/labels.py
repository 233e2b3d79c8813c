"""QR label sheets as PDF: one label per item with its QR code, call number, short title and barcode.

Sheets are A4 with the common self-adhesive layouts (sizes in millimetres, as on the label boxes). The QR
code is drawn as vector squares from segno's matrix, so it stays sharp at any printer resolution.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from shelfmark.holdings import qr
from shelfmark.holdings.display import short_title
from shelfmark.holdings.models import Item

CJK_FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)
FALLBACK_FONT = "STSong-Light"  # reportlab's built-in CID font: PDF readers supply the glyphs
QUIET_MODULES = 2  # white modules around the code inside the label's own white margin


@dataclass(frozen=True)
class Sheet:
    """An A4 label sheet: a grid of equal labels with page margins and gaps, in millimetres."""

    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    column_gap: float = 0.0
    row_gap: float = 0.0
    call_size: float = 11.0  # points
    text_size: float = 8.0
    padding: float = 2.5

    @property
    def per_sheet(self) -> int:
        return self.columns * self.rows

    def describe(self) -> str:
        return f"{self.name}: {self.per_sheet} labels of {self.width:g}×{self.height:g} mm"


SHEETS = {
    sheet.name: sheet
    for sheet in (
        Sheet("3x8", 3, 8, 70, 37, left=0, top=0.5),
        Sheet("3x7", 3, 7, 63.5, 38.1, left=7.2, top=15.15, column_gap=2.54),
        Sheet("2x7", 2, 7, 99.1, 38.1, left=4.65, top=15.15, column_gap=2.5, call_size=13, text_size=9),
        Sheet("4x10", 4, 10, 48.5, 25.4, left=8, top=21.5, call_size=8, text_size=6, padding=1.8),
    )
}


@dataclass(frozen=True)
class Label:
    """What one label shows."""

    payload: str
    call_number: str
    title: str
    barcode: str


def label_for(item: Item) -> Label:
    """Return the label of an item (its record loaded)."""
    return Label(qr.payload(item), item.call_number, short_title(item.record.title), item.barcode)


@cache
def cjk_font() -> str:
    """Register and return the font for Chinese text: WenQuanYi Micro Hei when installed, else STSong-Light."""
    for path in CJK_FONT_FILES:
        if path.exists():
            pdfmetrics.registerFont(TTFont("WenQuanYiMicroHei", str(path), subfontIndex=0))
            return "WenQuanYiMicroHei"
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def render(labels: Iterable[Label], out: BinaryIO | Path, *, sheet: str = "3x8", skip: int = 0) -> int:
    """Write the labels onto as many sheets as needed, after `skip` positions already used; return the page count."""
    layout = SHEETS[sheet]
    canvas = Canvas(str(out) if isinstance(out, Path) else out, pagesize=A4)
    canvas.setTitle("Shelfmark item labels")
    font = cjk_font()
    pages = 0
    for position, label in enumerate(labels, start=skip):
        slot = position % layout.per_sheet
        if slot == 0 or pages == 0:
            if pages:
                canvas.showPage()
            pages += 1
        x, y = _origin(layout, slot)
        _draw_label(canvas, layout, font, label, x, y)
    if pages:
        canvas.showPage()
    canvas.save()
    return pages


def _origin(layout: Sheet, slot: int) -> tuple[float, float]:
    """Return the bottom-left corner (points) of the label at `slot`, counted across then down."""
    row, column = divmod(slot, layout.columns)
    x = (layout.left + column * (layout.width + layout.column_gap)) * mm
    top = (layout.top + row * (layout.height + layout.row_gap) + layout.height) * mm
    return x, A4[1] - top


def _draw_label(canvas: Canvas, layout: Sheet, font: str, label: Label, x: float, y: float) -> None:
    pad = layout.padding * mm
    side = layout.height * mm - 2 * pad
    _draw_qr(canvas, label.payload, x + pad, y + pad, side)
    text_x = x + 2 * pad + side
    width = layout.width * mm - (text_x - x) - pad
    lines: list[tuple[str, float]] = []
    for part in _call_number_lines(label.call_number, font, layout.call_size, width):
        lines.append((part, layout.call_size))
    for part in fit_lines(label.title, font, layout.text_size, width, max_lines=2):
        lines.append((part, layout.text_size))
    cursor = y + layout.height * mm - pad
    for text, size in lines:
        cursor -= size * 1.15
        canvas.setFont(font, size)
        canvas.drawString(text_x, cursor, text)
    barcode_size = max(layout.text_size - 1, 5)
    canvas.setFont(font, barcode_size)
    canvas.drawString(text_x, y + pad, fit_lines(label.barcode, font, barcode_size, width, max_lines=1)[0])


def _draw_qr(canvas: Canvas, text: str, x: float, y: float, side: float) -> None:
    """Draw the code as one filled path of horizontal runs of dark modules, with a quiet zone inside `side`."""
    modules = qr.matrix(text)
    count = len(modules)
    step = side / (count + 2 * QUIET_MODULES)
    path = canvas.beginPath()
    for row_number, row in enumerate(modules):
        top = y + side - (QUIET_MODULES + row_number) * step
        for start, length in _runs(row):
            path.rect(x + (QUIET_MODULES + start) * step, top - step, length * step, step)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def _runs(row: list[bool]) -> Iterator[tuple[int, int]]:
    start = None
    for column, dark in enumerate([*row, False]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            yield start, column - start
            start = None


def _call_number_lines(call_number: str, font: str, size: float, width: float) -> list[str]:
    """One line when it fits, else class number and book number on two lines (as on spine labels)."""
    if not call_number or pdfmetrics.stringWidth(call_number, font, size) <= width:
        return [call_number] if call_number else []
    head, slash, tail = call_number.partition("/")
    parts = [head + slash, tail] if slash else [call_number]
    return [fit_lines(part, font, size, width, max_lines=1)[0] for part in parts if part]


def fit_lines(text: str, font: str, size: float, width: float, *, max_lines: int) -> list[str]:
    """Break text into at most `max_lines` lines of `width` points, at spaces when a word allows, and end a
    cut text with an ellipsis."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        cut = _fit(rest, font, size, width)
        space = rest.rfind(" ", 0, cut + 1)
        if cut < len(rest) and space > 0 and rest[cut - 1 : cut + 1].isascii():
            cut = space
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest and lines:
        last = lines[-1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    return lines or [""]


def _fit(text: str, font: str, size: float, width: float) -> int:
    """Return how many leading characters of text fit in `width` (at least one, so progress is made)."""
    used = 0.0
    for index, char in enumerate(text):
        used += pdfmetrics.stringWidth(char, font, size)
        if used > width:
            return max(index, 1)
    return len(text)
