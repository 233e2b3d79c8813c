"""Small MARC 21 and CNMARC records of one book, as two member systems would catalogue it."""

from __future__ import annotations

from pathlib import Path

import pymarc

SUB = pymarc.Subfield


def _data(tag: str, *pairs: tuple[str, str], indicators: tuple[str, str] = (" ", " ")) -> pymarc.Field:
    return pymarc.Field(tag=tag, indicators=pymarc.Indicators(*indicators), subfields=[SUB(c, v) for c, v in pairs])


def marc21(
    title: str,
    *,
    control_number: str,
    author: str = "",
    statement: str = "",
    publisher: str = "",
    year: int | None = None,
    isbn: str = "",
    edition: str = "",
    part: str = "",
    holdings: list[pymarc.Field] | None = None,
    extra: list[pymarc.Field] | None = None,
) -> pymarc.Record:
    """A MARC 21 book record (245 title with $n part, 250 edition, 260 imprint, 020 ISBN)."""
    record = pymarc.Record(leader="00000nam a2200000 a 4500")
    record.add_field(pymarc.Field(tag="001", data=control_number))
    date = str(year) if year else "    "
    record.add_field(pymarc.Field(tag="008", data=f"250101s{date}    cc            000 0 chi d"))
    if isbn:
        record.add_field(_data("020", ("a", isbn)))
    if author:
        record.add_field(_data("100", ("a", author), indicators=("1", " ")))
    title_field = [("a", title)]
    if part:
        title_field.append(("n", part))
    if statement:
        title_field.append(("c", statement))
    record.add_field(_data("245", *title_field, indicators=("1", "0")))
    if edition:
        record.add_field(_data("250", ("a", edition)))
    if publisher or year:
        imprint = [("a", "沈阳 :")] + ([("b", publisher)] if publisher else []) + ([("c", str(year))] if year else [])
        record.add_field(_data("260", *imprint))
    for item in [*(extra or []), *(holdings or [])]:
        record.add_field(item)
    return record


def cnmarc(
    title: str,
    *,
    control_number: str,
    statement: str = "",
    author: str = "",
    publisher: str = "",
    year: int | None = None,
    isbn: str = "",
    edition: str = "",
    part: str = "",
    holdings: list[pymarc.Field] | None = None,
    extra: list[pymarc.Field] | None = None,
) -> pymarc.Record:
    """A CNMARC book record (200 title with $h part and $f statement, 205 edition, 210 imprint, 010 ISBN)."""
    record = pymarc.Record(leader="00000nam0 2200000   450 ")
    record.add_field(pymarc.Field(tag="001", data=control_number))
    if isbn:
        record.add_field(_data("010", ("a", isbn), ("d", "CNY38.00")))
    date = str(year) if year else "    "
    record.add_field(_data("100", ("a", f"20250101d{date}    em y0chiy50      ea")))
    record.add_field(_data("101", ("a", "chi"), indicators=("0", " ")))
    title_field = [("a", title)]
    if part:
        title_field.append(("h", part))
    if statement:
        title_field.append(("f", statement))
    record.add_field(_data("200", *title_field, indicators=("1", " ")))
    if edition:
        record.add_field(_data("205", ("a", edition)))
    if publisher or year:
        imprint = [("a", "沈阳")] + ([("c", publisher)] if publisher else []) + ([("d", str(year))] if year else [])
        record.add_field(_data("210", *imprint))
    if author:
        record.add_field(_data("701", ("a", author), ("4", "著"), indicators=(" ", "0")))
    for item in [*(extra or []), *(holdings or [])]:
        record.add_field(item)
    return record


def field(tag: str, *pairs: tuple[str, str]) -> pymarc.Field:
    return _data(tag, *pairs)


def write(path: Path, records: list[pymarc.Record]) -> Path:
    """Write records as ISO 2709 (UTF-8)."""
    with path.open("wb") as out:
        for record in records:
            record.leader = pymarc.Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
            out.write(record.as_marc())
    return path
