"""An item's two identities: the legacy 1-D barcode and the short, unguessable QR code, and reading a scan.

Pure functions, no database: generating, checking and parsing codes is the same at the desk, in the API
and in a kiosk, and is tested without one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

# No 0/O, 1/I/L: a QR code read aloud or typed from a damaged label is never ambiguous. Upper case only,
# so a code typed in lower case still matches (codes are compared upper-cased).
QR_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
QR_LENGTH = 10  # 31**10 ≈ 8 * 10**14: guessing a code that exists is hopeless even with millions of items
BARCODE_PREFIX = "20"  # GS1 prefixes 20-29 are for internal numbering, so generated barcodes never clash with ISBNs
BARCODE_MAX = 32
_BARCODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")
_QR_PATH = re.compile(r"(?:^|/)i/([A-Za-z0-9]+)/?$")


def new_qr_code() -> str:
    """Return a fresh random QR code from the unambiguous alphabet."""
    return "".join(secrets.choice(QR_ALPHABET) for _ in range(QR_LENGTH))


def ean13_check_digit(digits: str) -> str:
    """Return the EAN-13 check digit of 12 digits, so a scanner or a typist's slip is caught."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def barcode_for(number: int) -> str:
    """Return the 13-digit barcode for the n-th generated number: prefix, 10 digits, check digit."""
    body = f"{BARCODE_PREFIX}{number:010d}"
    return body + ean13_check_digit(body)


def is_valid_barcode(barcode: str) -> bool:
    """Tell whether a barcode can be printed and scanned: letters, digits and hyphens, at most 32."""
    return bool(_BARCODE.match(barcode))


@dataclass(frozen=True)
class Scan:
    """What a scan may name: a QR code taken from a payload URL, or a bare code (a barcode or a QR code)."""

    text: str
    qr_code: str | None  # set when the scan was a payload URL: then only the QR code may match
    bare: str | None  # set for a bare code: a barcode as scanned, or a QR code upper-cased


def read_scan(text: str) -> Scan:
    """Read what a scanner or a person typed: whitespace anywhere is dropped (scanners add CR/LF or tabs)."""
    cleaned = "".join(text.split())
    if "/" in cleaned:
        path = urlsplit(cleaned).path if "://" in cleaned else cleaned
        found = _QR_PATH.search(path)
        return Scan(cleaned, found.group(1).upper() if found else "", None)
    return Scan(cleaned, None, cleaned)
