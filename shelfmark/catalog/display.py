"""Show a stored MARC-in-JSON record as text a cataloguer reads: one line per field, `$a` before subfields."""

from __future__ import annotations

from typing import Any

BLANK_INDICATOR = "#"


def marc_lines(marc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Return (tag, indicators, data) per field, the leader first; control fields have no indicators."""
    lines = [("LDR", "", str(marc.get("leader", "")))]
    for field in marc.get("fields", []):
        for tag, value in field.items():
            if isinstance(value, dict):
                indicators = "".join(_indicator(value.get(key)) for key in ("ind1", "ind2"))
                data = " ".join(f"${code}{text}" for sub in value.get("subfields", []) for code, text in sub.items())
                lines.append((tag, indicators, data))
            else:
                lines.append((tag, "", str(value)))
    return lines


def marc_text(marc: dict[str, Any]) -> str:
    """Return the record as lines like `245 10 $a题名 $c责任者`."""
    return "\n".join(" ".join(part for part in line if part) for line in marc_lines(marc))


def _indicator(value: Any) -> str:
    text = str(value or " ")[:1]
    return BLANK_INDICATOR if text == " " else text
