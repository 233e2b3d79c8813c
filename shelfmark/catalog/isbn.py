"""ISBN handling: pull the number out of a MARC subfield, check it, and convert between 10 and 13 digits."""

from __future__ import annotations

import re

# A run of digits, hyphens and spaces ending in a digit or X; qualifiers such as "(pbk.)" or ": CNY25.00" follow it.
_CANDIDATE = re.compile(r"(?:97[89][\s\-‐‑–]*)?[0-9](?:[\s\-‐‑–]*[0-9]){8}[\s\-‐‑–]*[0-9Xx]")
_NOT_DIGIT = re.compile(r"[^0-9X]")


def _digits(text: str) -> str:
    """Return the candidate's digits and X, upper case, without separators."""
    return _NOT_DIGIT.sub("", text.upper())


def check_digit_10(first9: str) -> str:
    """Return the ISBN-10 check character (0-9 or X) for nine digits."""
    total = sum((10 - i) * int(d) for i, d in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def check_digit_13(first12: str) -> str:
    """Return the ISBN-13 (EAN-13) check digit for twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid(isbn: str) -> bool:
    """Tell whether a compact ISBN-10 or ISBN-13 has a correct check digit."""
    if len(isbn) == 10 and isbn[:9].isdigit() and (isbn[9].isdigit() or isbn[9] == "X"):
        return check_digit_10(isbn[:9]) == isbn[9]
    if len(isbn) == 13 and isbn.isdigit() and isbn[:3] in ("978", "979"):
        return check_digit_13(isbn[:12]) == isbn[12]
    return False


def compact(text: str) -> str:
    """Return the first ISBN-looking number in the text as bare digits (and X), or "" when there is none."""
    match = _CANDIDATE.search(text.upper() if text else "")
    if not match:
        return ""
    return _digits(match.group(0))


def to_13(text: str) -> str:
    """Return the valid ISBN-13 written in the text (given as 10 or 13, with hyphens or qualifiers), else ""."""
    isbn = compact(text)
    if not is_valid(isbn):
        return ""
    if len(isbn) == 13:
        return isbn
    body = "978" + isbn[:9]
    return body + check_digit_13(body)


def to_10(text: str) -> str:
    """Return the ISBN-10 form of a valid ISBN (978 prefix only; 979 has no 10-digit form), else ""."""
    isbn = compact(text)
    if not is_valid(isbn):
        return ""
    if len(isbn) == 10:
        return isbn
    if not isbn.startswith("978"):
        return ""
    return isbn[3:12] + check_digit_10(isbn[3:12])
