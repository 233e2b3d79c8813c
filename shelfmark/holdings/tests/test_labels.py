"""`shelfmark item-labels`: the PDF's QR codes decode back to the chosen items' payloads."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from django.core.management import CommandError, call_command

from shelfmark.holdings import labels, qr, services
from shelfmark.holdings.tests.factories import make_item, make_record

pytestmark = pytest.mark.django_db
DPI = 200


def _decode(pdf: Path) -> tuple[list[list[str]], str]:
    """Return the QR texts found on each page (top to bottom, left to right) and all the page text."""
    document = pypdfium2.PdfDocument(str(pdf))
    pages, text = [], []
    for page in document:
        image = page.render(scale=DPI / 72).to_pil()
        found = [r for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode]
        ordered = sorted(found, key=lambda r: (round(r.position.top_left.y / 50), r.position.top_left.x))
        pages.append([r.text for r in ordered])
        text.append(page.get_textpage().get_text_range())
    document.close()
    return pages, "\n".join(text)


@pytest.mark.parametrize("size", sorted(labels.SHEETS))
def test_every_label_decodes_to_its_item(net, tmp_path, size):
    # given one sheet and two more labels' worth of items at the county, with Chinese call numbers and titles
    sheet = labels.SHEETS[size]
    record = make_record("辽宁省志：地理志")
    items = [make_item(record, library=net.county, call_number=f"K293.1/{n}") for n in range(sheet.per_sheet + 2)]
    make_item(library=net.other_county)  # another library's item: no label
    out = tmp_path / "labels.pdf"
    # when the labels are printed
    call_command("item_labels", library="LN-SY-KP", size=size, out=out)
    # then every QR code on the two sheets decodes, in order, to its item's payload
    pages, text = _decode(out)
    assert pages == [
        [qr.payload(item) for item in items[: sheet.per_sheet]],
        [qr.payload(item) for item in items[sheet.per_sheet :]],
    ]
    # and the labels carry the call numbers and the short title in Chinese
    assert "辽宁省志" in text and "地理志" not in text
    assert "K293.1/0" in text.replace("\r", "").replace("\n", "")


def test_bounds_by_barcode_and_by_date_and_skipped_positions(net, tmp_path):
    # given items made on three days, one of them withdrawn
    days = [datetime(2025, 5, d, 3, 0, tzinfo=UTC) for d in (1, 2, 3)]
    made = [make_item(library=net.county, now=day) for day in days for _ in range(2)]
    services.withdraw(item=made[3], actor=None, reason="剔旧")
    # when labels are printed from a barcode on, and for the second day only, starting at the fifth position
    by_barcode, by_day = tmp_path / "by_barcode.pdf", tmp_path / "by_day.pdf"
    call_command("item_labels", library="LN-SY-KP", start=made[1].barcode, end=made[4].barcode, out=by_barcode)
    call_command("item_labels", "--from=2025-05-02", "--to=2025-05-02", "--skip=4", library="LN-SY-KP", out=by_day)
    # then the first holds items 2 to 5 without the withdrawn one, the second the second day's live item
    assert _decode(by_barcode)[0] == [[qr.payload(made[i]) for i in (1, 2, 4)]]
    assert _decode(by_day)[0] == [[qr.payload(made[2])]]


def test_labels_fit_and_never_overlap(net, tmp_path):
    # given a long title and call number on the smallest labels
    record = make_record("东北地区古代民族关系史研究与辽宁地方文献整理汇编第一辑：续编")
    items = [make_item(record, library=net.county, call_number="K289.31-092/1234:2") for _ in range(40)]
    out = tmp_path / "small.pdf"
    call_command("item_labels", library="LN-SY-KP", size="4x10", out=out)
    # then all forty decode on one sheet (a label spilling onto its neighbour would spoil a code)
    pages, text = _decode(out)
    assert Counter(pages[0]) == Counter(qr.payload(item) for item in items)
    assert "…" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"library": "NOPE"}, "NOPE"),
        ({"library": "LN-SY-FK"}, "No items of LN-SY-FK"),
        ({"library": "LN-SY-KP", "start": "2025-02-30"}, "not a real day"),
        ({"library": "LN-SY-KP", "skip": 24}, "--skip"),
    ],
)
def test_bad_options_are_refused(net, tmp_path, options, message):
    make_item(library=net.county)
    out = tmp_path / "labels.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("item_labels", out=out, **options)
    assert not out.exists()


def test_chinese_text_falls_back_to_the_builtin_cid_font(net, tmp_path, monkeypatch):
    # given no CJK font file on the machine
    monkeypatch.setattr(labels, "CJK_FONT_FILES", (tmp_path / "missing.ttc",))
    labels.cjk_font.cache_clear()
    try:
        item = make_item(make_record("沈阳故宫"), library=net.county)
        out = tmp_path / "labels.pdf"
        call_command("item_labels", library="LN-SY-KP", out=out)
        # then the PDF names STSong-Light and its code still decodes
        assert b"STSong-Light" in out.read_bytes()
        assert _decode(out)[0] == [[qr.payload(item)]]
    finally:
        labels.cjk_font.cache_clear()
