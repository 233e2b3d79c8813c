"""Write ISO 2709 records straight from tuples: several times faster than building pymarc objects."""

from __future__ import annotations

from collections.abc import Sequence

FIELD_END = "\x1e"
RECORD_END = b"\x1d"
SUBFIELD = "\x1f"

# A control field is (tag, value); a data field is (tag, indicators, ((code, value), ...)).
ControlField = tuple[str, str]
DataField = tuple[str, str, Sequence[tuple[str, str]]]
Field = ControlField | DataField


def encode(leader_template: str, fields: Sequence[Field]) -> bytes:
    """Encode one record in UTF-8; the template's `{length}` and `{base}` are filled with 5-digit numbers.

    Fields are written in the order given, so callers put 880s last as cataloguers do.
    """
    directory: list[str] = []
    bodies: list[bytes] = []
    offset = 0
    for field in fields:
        if len(field) == 2:
            text = field[1] + FIELD_END
        else:
            text = field[1] + "".join(SUBFIELD + code + value for code, value in field[2]) + FIELD_END
        body = text.encode("utf-8")
        directory.append(f"{field[0]}{len(body):04d}{offset:05d}")
        bodies.append(body)
        offset += len(body)
    head = "".join(directory) + FIELD_END
    base = 24 + len(head)
    length = base + offset + 1
    leader = leader_template.format(length=f"{length:05d}", base=f"{base:05d}")
    return (leader + head).encode("ascii") + b"".join(bodies) + RECORD_END
