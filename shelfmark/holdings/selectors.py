"""Reads of items: find one by whatever was scanned, lock one for a change, list a record's copies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.catalog.models import Record
from shelfmark.core import rows
from shelfmark.holdings.errors import ItemNotFound
from shelfmark.holdings.identity import read_scan
from shelfmark.holdings.models import Item, ItemStatus, ItemStatusChange
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import library_by_id

__all__ = [
    "LibraryAvailability",
    "availability",
    "availability_for_records",
    "find_item_by_scan",
    "get_item",
    "get_item_by_qr_code",
    "items_for_labels",
    "items_for_record",
    "lock_item",
    "status_history",
]


def _with_places() -> QuerySet[Item]:
    """Items with their record (without its MARC) and both libraries, as desk and API show them."""
    return Item.objects.select_related("record", "home_library", "current_library").defer("record__marc")


def find_item_by_scan(text: str) -> Item:
    """Return the item a scan names: its barcode, its bare QR code, or a QR payload URL (any host, /i/<code>).

    Whitespace is ignored and QR codes match in either case; a barcode wins over a QR code that happens
    to read the same, though services never let one item's barcode equal another's QR code. The item
    comes with its record (without its MARC) and both libraries, as desk, kiosk and API show them.
    """
    scan = read_scan(text)
    found: list[Item] = []
    if scan.qr_code:
        found = rows.select(Item, "qr_code = %s", [scan.qr_code], limit=1)
    elif scan.bare:
        found = rows.select(Item, "barcode = %s OR qr_code = %s", [scan.bare, scan.bare.upper()], limit=2)
        found.sort(key=lambda item: item.barcode != scan.bare)
    if not found:
        raise ItemNotFound(field="code", scanned=repr(text.strip()))
    item = _with_libraries(found[0])
    record = rows.select_one(Record, "id = %s", [item.record_id], defer=("marc",))
    if record is not None:
        item.record = record
    return item


def _with_libraries(item: Item) -> Item:
    """Attach the item's home and current library from the briefly remembered network tree (no query)."""
    item.home_library = library_by_id(item.home_library_id)
    item.current_library = library_by_id(item.current_library_id)
    return item


def get_item(item_id: int) -> Item:
    """Return the item with this id, or raise ItemNotFound naming the id."""
    try:
        return _with_places().get(pk=item_id)
    except Item.DoesNotExist:
        raise ItemNotFound(_("没有 id 为 {item_id} 的单册。"), field="id", item_id=item_id) from None


def get_item_by_qr_code(code: str) -> Item:
    """Return the item whose QR code this is (in either case), or raise ItemNotFound."""
    try:
        return Item.objects.get(qr_code=code.strip().upper())
    except Item.DoesNotExist:
        raise ItemNotFound(field="code", scanned=repr(code)) from None


def lock_item(item_id: int) -> Item:
    """Return the item row locked for update until the caller's transaction ends (call inside atomic)."""
    item = rows.select_one(Item, "id = %s", [item_id], lock=True)
    if item is None:
        raise ItemNotFound(_("没有 id 为 {item_id} 的单册。"), field="id", item_id=item_id)
    return _with_libraries(item)


def items_for_record(record: Record | int) -> QuerySet[Item]:
    """Return a record's copies, withdrawn ones included, ordered by home library then barcode."""
    record_id = record if isinstance(record, int) else record.pk
    return _with_places().filter(record_id=record_id).order_by("home_library__path", "barcode")


def status_history(item: Item) -> QuerySet[ItemStatusChange]:
    """Return an item's status changes, oldest first."""
    return item.status_changes.select_related("library", "actor").order_by("id")


@dataclass(frozen=True)
class LibraryAvailability:
    """Copies of one record at one library: how many there are and how many are on the shelf now."""

    library: Library
    total: int
    available: int
    statuses: dict[str, int] = field(default_factory=dict)


def availability(record: Record | int) -> list[LibraryAvailability]:
    """Return where a record's copies are, by the library each is at now (withdrawn copies left out)."""
    record_id = record if isinstance(record, int) else record.pk
    return availability_for_records([record_id]).get(record_id, [])


def availability_for_records(record_ids: Iterable[int]) -> dict[int, list[LibraryAvailability]]:
    """Return availability for many records in two statements, for result lists; libraries in tree order."""
    rows = (
        Item.objects.filter(record_id__in=list(record_ids))
        .exclude(status=ItemStatus.WITHDRAWN)
        .values_list("record_id", "current_library_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[int, dict[str, int]]] = {}
    for record_id, library_id, status, n in rows:
        counts.setdefault(record_id, {}).setdefault(library_id, {})[status] = n
    libraries = Library.objects.in_bulk({lib for per in counts.values() for lib in per})
    result: dict[int, list[LibraryAvailability]] = {}
    for record_id, per_library in counts.items():
        places = [
            LibraryAvailability(
                library=libraries[library_id],
                total=sum(statuses.values()),
                available=statuses.get(ItemStatus.AVAILABLE, 0),
                statuses=dict(sorted(statuses.items())),
            )
            for library_id, statuses in per_library.items()
        ]
        result[record_id] = sorted(places, key=lambda place: place.library.path)
    return result


def items_for_labels(
    library: Library, *, start: date | str | None = None, end: date | str | None = None
) -> QuerySet[Item]:
    """Return a library's items (not withdrawn) to print labels for, in barcode order.

    A date bound selects by the day the item was created (local time, both days included); a barcode
    bound selects barcodes of the same length from that one on (or up to it), as a run of generated or
    pre-printed barcodes is.
    """
    items = (
        Item.objects.filter(home_library=library)
        .exclude(status=ItemStatus.WITHDRAWN)
        .select_related("record")
        .only("id", "barcode", "qr_code", "call_number", "record__title")
    )
    for bound, lower in ((start, True), (end, False)):
        if isinstance(bound, date):
            day = bound if lower else bound + timedelta(days=1)
            moment = timezone.make_aware(datetime.combine(day, time.min))
            items = items.filter(created_at__gte=moment) if lower else items.filter(created_at__lt=moment)
        elif bound:
            items = items.alias(barcode_length=Length("barcode")).filter(barcode_length=len(bound))
            items = items.filter(barcode__gte=bound) if lower else items.filter(barcode__lte=bound)
    return items.order_by("barcode")
