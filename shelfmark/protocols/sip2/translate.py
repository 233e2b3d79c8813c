"""Shelfmark's words in SIP2 codes: dates, item statuses, patron status flags, media types, alerts, sort bins."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from shelfmark.holdings.models import ItemStatus, ItemType
from shelfmark.protocols.sip2 import spec

SIP_DATE = "%Y%m%d    %H%M%S"  # local time: the four time-zone characters are blanks

# Circulation status (item information response): 01 other, 03 available, 04 charged, 06 in process,
# 08 waiting on hold shelf, 10 in transit, 11 claimed returned, 12 lost, 13 missing.
CIRCULATION_STATUS: dict[str, str] = {
    ItemStatus.AVAILABLE: "03",
    ItemStatus.ON_LOAN: "04",
    ItemStatus.IN_PROCESSING: "06",
    ItemStatus.IN_RESTORATION: "06",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
    ItemStatus.DAMAGED: "01",
    ItemStatus.WITHDRAWN: "01",
}

# Media type (CK): 001 book, 002 magazine, 006 CD/CD-ROM, 000 other.
MEDIA_TYPE: dict[str, str] = {
    ItemType.BOOK: "001",
    ItemType.CHILDREN: "001",
    ItemType.REFERENCE: "001",
    ItemType.RARE: "001",
    ItemType.LOCAL: "001",
    ItemType.PERIODICAL: "002",
    ItemType.AUDIOVISUAL: "006",
}

# Alert type (CV, 3M extension used by sorters): 01 hold here, 02 hold at another library, 04 send to another library.
ALERT_TYPE = {"hold": "01", "hold_transit": "02", "transit": "04"}

DEFAULT_SORT_BINS = {"shelve": "1", "hold": "2", "transit": "3", "error": "9"}

# Fee type (BT) → fine charge kinds a payment may settle; payment type (fixed field) → payment method.
PAYMENT_METHOD = {"00": "cash", "01": "unionpay", "02": "unionpay"}


def media_type(item_type: str) -> str:
    """Return the SIP2 media type of an item type (000 other)."""
    return MEDIA_TYPE.get(item_type, "000")


def sip_datetime(moment: datetime) -> str:
    """Format an aware moment as SIP2 local time (YYYYMMDD    HHMMSS)."""
    return timezone.localtime(moment).strftime(SIP_DATE)


def sip_date(day: date) -> str:
    """Format a due or expiry date as the end of that day in SIP2 local time."""
    return datetime.combine(day, time(23, 59, 59)).strftime(SIP_DATE)


def parse_sip_datetime(text: str) -> datetime | None:
    """Read an 18-character SIP2 date (blank zone = local time, "Z" = UTC); None when blank or not a date."""
    if len(text) != 18 or not text.strip():
        return None
    zone = text[8:12].strip()
    try:
        naive = datetime.strptime(text[:8] + text[12:], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    if zone == "Z":
        return naive.replace(tzinfo=ZoneInfo("UTC"))
    return timezone.make_aware(naive) if not zone else None


def yes(flag: bool) -> str:
    return "Y" if flag else "N"


def count(number: int) -> str:
    """Format a count for a 4-character field, capped at 9999."""
    return f"{min(max(number, 0), 9999):04d}"


def patron_status(
    *, blocked: bool, lost_card: bool, overdue: bool, excessive_fines: bool, too_many_items: bool = False
) -> str:
    """Return the 14 flags of the patron status field: Y where the reader is denied or over a limit."""
    flags = [" "] * 14
    if blocked:
        flags[0] = flags[1] = flags[3] = "Y"  # charge, renewal and hold privileges denied
    flags[4] = "Y" if lost_card else " "
    flags[5] = "Y" if too_many_items else " "
    flags[6] = "Y" if overdue else " "
    flags[10] = "Y" if excessive_fines else " "
    return "".join(flags)


DENIED = "Y" * 4 + " " * 10  # an unknown or invalid reader: every privilege denied


def response_language(requested: str) -> tuple[str, str]:
    """Return (SIP2 language code, Django language) for a request's language field: English or Chinese."""
    if requested == spec.LANGUAGE_ENGLISH:
        return spec.LANGUAGE_ENGLISH, "en"
    return spec.LANGUAGE_CHINESE, "zh-hans"


def sort_bin(bins: dict[str, str], *, alert: str, destination: str = "", failed: bool = False) -> str:
    """Choose the sorter bin: error, a bin for the destination library, hold, transit, else shelve."""
    table = {**DEFAULT_SORT_BINS, **bins}
    if failed:
        return table["error"]
    if destination and f"transit:{destination}" in table:
        return table[f"transit:{destination}"]
    if alert == "hold":
        return table["hold"]
    if alert in ("transit", "hold_transit"):
        return table["transit"]
    return table["shelve"]
