"""Build MARC records for tests: a Chinese MARC21 record with 880 fields, a CNMARC record, ISO 2709 bytes."""

from __future__ import annotations

import pymarc

FIELD_END = b"\x1e"
RECORD_END = b"\x1d"


def field(tag: str, ind: str = "  ", **subfields: str) -> pymarc.Field:
    """Make a data field; subfield codes are keyword names (use _6, _9 for digits)."""
    return pymarc.Field(
        tag=tag,
        indicators=pymarc.Indicators(ind[0], ind[1]),
        subfields=[pymarc.Subfield(code.lstrip("_"), value) for code, value in subfields.items()],
    )


def control(tag: str, data: str) -> pymarc.Field:
    return pymarc.Field(tag=tag, data=data)


def record(leader: str, *fields: pymarc.Field) -> pymarc.Record:
    built = pymarc.Record(leader=leader)
    built.fields = list(fields)
    return built


def chinese_marc21() -> pymarc.Record:
    """A Library of Congress style record of a Chinese book: pinyin in 245/100/260, characters in 880."""
    return record(
        "00000cam a2200000 a 4500",
        control("001", "lc2019000001"),
        control("008", "190301s2019    cc a          000 0 chi  "),
        field("020", a="9787020002207 (pbk.)"),
        field("100", "1 ", _6="880-01", a="Cao, Xueqin,", d="approximately 1717-1763."),
        field("245", "10", _6="880-02", a="Hong lou meng /", c="Cao Xueqin zhu."),
        field("260", "  ", _6="880-03", a="Beijing :", b="Ren min wen xue chu ban she,", c="2019."),
        field("650", " 0", a="Chinese fiction", y="Qing dynasty, 1644-1912."),
        field("880", "1 ", _6="100-01/$1", a="曹雪芹,", d="approximately 1717-1763."),
        field("880", "10", _6="245-02/$1", a="红楼梦 /", c="曹雪芹著."),
        field("880", "  ", _6="260-03/$1", a="北京 :", b="人民文学出版社,", c="2019."),
    )


def cnmarc(
    *extra: pymarc.Field, isbn: str = "7-02-000220-X", leader: str = "00000nam0 2200000   450 "
) -> pymarc.Record:
    """A CNMARC record of a Chinese book with 001, 010, 100, 101, 200, 210, 606, 690 and 701."""
    return record(
        leader,
        control("001", "012019000123"),
        field("010", a=isbn, d="CNY59.00"),
        field("100", a="20190301d2019    em y0chiy50      ea"),
        field("101", "0 ", a="chi"),
        field("200", "1 ", a="辽宁　地方志", _9="liao ning di fang zhi", e="编纂研究", f="张三主编"),
        field("210", a="沈阳", c="辽宁人民出版社", d="2019"),
        field("606", "0 ", a="地方志", x="研究", y="辽宁"),
        field("690", a="K293.1", v="5"),
        field("701", " 0", a="张三", _4="主编"),
        *extra,
    )


def iso2709(built: pymarc.Record, encoding: str = "utf-8") -> bytes:
    """Serialise a record in any character set (pymarc writes UTF-8 only), leader lengths filled in."""
    directory = b""
    data = b""
    for f in built.fields:
        if f.control_field:
            body = (f.data or "").encode(encoding)
        else:
            body = "".join(f.indicators or "  ").encode("ascii") + b"".join(
                b"\x1f" + s.code.encode("ascii") + s.value.encode(encoding) for s in f.subfields
            )
        body += FIELD_END
        directory += f"{f.tag}{len(body):04d}{len(data):05d}".encode("ascii")
        data += body
    directory += FIELD_END
    base = 24 + len(directory)
    total = base + len(data) + 1
    leader = str(built.leader)
    return f"{total:05d}{leader[5:12]}{base:05d}{leader[17:]}".encode("ascii") + directory + data + RECORD_END
