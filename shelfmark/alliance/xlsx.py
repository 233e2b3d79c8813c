"""Excel workbooks the alliance office hands around: the scorecard and the local-document gap report.

Chinese headers with units in the header, numbers stored as numbers, a frozen header row, columns sized to fit.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shelfmark.alliance.scorecard import Scorecard
from shelfmark.alliance.selectors import GapReport

HEADER = Font(bold=True)
GAP = PatternFill("solid", fgColor="FFF2CC")
MISSED = PatternFill("solid", fgColor="F8CBAD")
MET = "达标"
NOT_MET = "未达标"


def scorecard_workbook(card: Scorecard) -> Workbook:
    """One summary sheet (members × indicators) and one ranked sheet per indicator."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "汇总"
    headers = ["馆代码", "图书馆", *[_with_unit(r.indicator.name, r.indicator.unit) for r in card.rankings], "达标项数"]
    rows: list[list[Any]] = []
    for member in card.members:
        placings = [card.placing(ranking, member) for ranking in card.rankings]
        rows.append(
            [member.code, member.name, *[_number(p.value) for p in placings], sum(1 for p in placings if p.met)]
        )
    _table(summary, headers, rows)
    summary.cell(row=len(rows) + 3, column=1, value=f"{card.year} 年度联盟绩效考评")
    used: set[str] = {summary.title}
    for ranking in card.rankings:
        sheet = book.create_sheet(_sheet_title(ranking.indicator.name, used))
        unit = ranking.indicator.unit
        target = _number(ranking.indicator.target)
        rows = [
            [
                p.rank,
                p.library.code,
                p.library.name,
                _number(p.value),
                target,
                MET if p.met else NOT_MET if p.met is False else "",
            ]
            for p in ranking.placings
        ]
        _table(
            sheet, ["排名", "馆代码", "图书馆", _with_unit("数值", unit), _with_unit("目标值", unit), "是否达标"], rows
        )
        for index, placing in enumerate(ranking.placings, start=2):
            if placing.met is False:
                sheet.cell(row=index, column=6).fill = MISSED
        footer = len(rows) + 3
        direction = ranking.indicator.get_direction_display()
        sheet.cell(row=footer, column=1, value=f"计算方法：{ranking.indicator.formula}（{direction}）")
        if ranking.note:
            sheet.cell(row=footer + 1, column=1, value=f"说明：{ranking.note}")
    return book


def gap_workbook(report: GapReport) -> Workbook:
    """Regions down, years across, a highlighted cell where nothing was collected."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "地方文献缺藏"
    headers = ["区划代码", "地区", *[f"{year}年（种）" for year in report.years], "合计（种·年）", "空白年数"]
    rows = [[row.region.code, row.region.name, *row.counts, row.total, row.gaps] for row in report.rows]
    _table(sheet, headers, rows)
    for row_index, row in enumerate(report.rows, start=2):
        for column, count in enumerate(row.counts, start=3):
            if count == 0:
                sheet.cell(row=row_index, column=column).fill = GAP
    return book


def to_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _table(sheet: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = HEADER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    for column, header in enumerate(headers, start=1):
        values = [header, *[row[column - 1] for row in rows]]
        width = max(_display_width(value) for value in values)
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def _display_width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _number(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def _with_unit(name: str, unit: str) -> str:
    return f"{name}（{unit}）" if unit else name


def _sheet_title(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:28] or "指标"
    title, n = base, 2
    while title in used:
        title, n = f"{base}{n}", n + 1
    used.add(title)
    return title
