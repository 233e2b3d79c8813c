"""Chinese resident ID-card numbers (GB 11643-1999): check, mask and keyed hash; the number itself is never stored."""

from __future__ import annotations

import unicodedata
from datetime import date

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from shelfmark.patrons.errors import InvalidIdNumber

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
_HASH_SALT = "shelfmark.patrons.id_number"


def check_character(first17: str) -> str:
    """Return the 18th character GB 11643 computes from the first 17 digits (ISO 7064 MOD 11-2)."""
    return CHECK_CHARACTERS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(raw: str) -> str:
    """Fold full-width characters and spaces away and upper-case the check character."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def validate(raw: str) -> str:
    """Return the normalised 18-character number, or raise InvalidIdNumber saying what is wrong."""
    number = normalize(raw)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber(field="id_number", problem=_("it must be 17 digits followed by a digit or X."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900:
        raise InvalidIdNumber(field="id_number", problem=_("characters 7 to 14 are not a date of birth."))
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber(field="id_number", problem=_("the check character does not match; is a digit mistyped?"))
    return number


def mask(number: str) -> str:
    """Show the region prefix and the last four characters only, as on receipts: 2101**********1234."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def keyed_hash(number: str) -> str:
    """Return the HMAC-SHA256 of the normalised number keyed by SECRET_KEY: comparable, not reversible offline."""
    return salted_hmac(_HASH_SALT, normalize(number), algorithm="sha256").hexdigest()
