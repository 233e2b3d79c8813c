"""Read a member record's copies out of its MARC: pure functions over MARC-in-JSON, no ORM.

- MARC 21 852 (location): $a institution (library code; $b when $a is missing), $c shelving location,
  $h classification part and $i item part of the call number, $p barcode (piece designation).
- MARC 21 876 (item information): $p barcode, with the library and call number of the 852 it is linked to
  by $8 (else the last 852 before it); an 852 whose copies are all given in 876s is not a copy itself.
- CNMARC 905 (the local holdings field Chinese systems export): $a library code, $b barcode,
  $c location, $d class number, $e book number (种次号): call number "$d/$e".
- Koha 952 (items): $a home library, $c location, $o call number, $p barcode.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

HOLDING_TAGS = ("852", "876", "905", "952")


@dataclass(frozen=True, slots=True)
class HoldingData:
    """One copy as a member described it."""

    library_code: str
    barcode: str
    call_number: str
    location: str
    tag: str


def _fields(marc: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, list[str]]]]:
    """Yield (tag, {code: [values]}) for each holdings data field, in record order."""
    for entry in marc.get("fields", ()) if isinstance(marc, Mapping) else ():
        if not isinstance(entry, Mapping) or len(entry) != 1:
            continue
        ((tag, content),) = entry.items()
        if tag not in HOLDING_TAGS or not isinstance(content, Mapping):
            continue
        codes: dict[str, list[str]] = {}
        for sub in content.get("subfields", ()):
            if isinstance(sub, Mapping):
                for code, value in sub.items():
                    if isinstance(value, str) and value.strip():
                        codes.setdefault(str(code), []).append(value.strip())
        yield tag, codes


def _first(codes: dict[str, list[str]], *wanted: str) -> str:
    for code in wanted:
        if codes.get(code):
            return codes[code][0]
    return ""


def _call_number(class_part: str, item_part: str) -> str:
    return f"{class_part}/{item_part}" if class_part and item_part else class_part or item_part


def _link(codes: dict[str, list[str]]) -> str:
    """The field link number of $8 ("1.3\\c" → "1")."""
    return _first(codes, "8").split(".", 1)[0]


def holdings_of(marc: Mapping[str, Any], tags: Collection[str] | None = None) -> list[HoldingData]:
    """Return the copies a record's holdings fields describe (barcodes and codes truncated to fit their columns);
    `tags`, the record's tags when the caller has them, spares reading a record without holdings fields."""
    if tags is not None and not any(tag in tags for tag in HOLDING_TAGS):
        return []
    found: list[HoldingData] = []
    locations: list[tuple[str, HoldingData]] = []  # 852s: (link number, the copy it describes)
    itemised: set[int] = set()  # 852s (index in `locations`) that 876 items stand for
    for tag, codes in _fields(marc):
        if tag == "852":
            holding = HoldingData(
                library_code=_first(codes, "a", "b")[:64],
                barcode=_first(codes, "p")[:64],
                call_number=_call_number(_first(codes, "h", "j"), _first(codes, "i"))[:100],
                location=_first(codes, "c")[:100],
                tag=tag,
            )
            locations.append((_link(codes), holding))
        elif tag == "876":
            link = _link(codes)
            index = next(
                (i for i in range(len(locations) - 1, -1, -1) if link and locations[i][0] == link),
                len(locations) - 1,
            )
            base = locations[index][1] if index >= 0 else None
            if index >= 0:
                itemised.add(index)
            found.append(
                HoldingData(
                    library_code=base.library_code if base else "",
                    barcode=_first(codes, "p", "a")[:64],
                    call_number=base.call_number if base else "",
                    location=(_first(codes, "l") or (base.location if base else ""))[:100],
                    tag=tag,
                )
            )
        elif tag == "905":
            found.append(
                HoldingData(
                    library_code=_first(codes, "a")[:64],
                    barcode=_first(codes, "b")[:64],
                    call_number=_call_number(_first(codes, "d"), _first(codes, "e"))[:100],
                    location=_first(codes, "c")[:100],
                    tag=tag,
                )
            )
        else:  # 952
            found.append(
                HoldingData(
                    library_code=_first(codes, "a", "b")[:64],
                    barcode=_first(codes, "p")[:64],
                    call_number=_first(codes, "o")[:100],
                    location=_first(codes, "c")[:100],
                    tag=tag,
                )
            )
    copies = [holding for i, (_, holding) in enumerate(locations) if i not in itemised]
    return copies + found
