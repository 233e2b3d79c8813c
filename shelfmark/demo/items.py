"""Demo items: one to four copies of each physical record, spread over the network, with call numbers and prices.

Copies are written in bulk (thousands in a second), with their first status-history row and an audit event each,
as `holdings.services.create_item` would write them; the few copies the scripted history needs are made through
the service itself (see `demo.history`). Bulk copies carry the legacy 1-D barcodes each city printed before the
network shared a catalogue (SY00000001, DL00000001, LN00000001), so the desk shows that both kinds scan.
Records that already have copies are skipped, so running the demo again adds nothing.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from shelfmark.catalog.models import Record, ResourceType
from shelfmark.core import events
from shelfmark.holdings import identity
from shelfmark.holdings.models import Item, ItemStatus, ItemStatusChange, ItemType
from shelfmark.libraries.models import Library

ITEM_SEED = 2026
COPY_WEIGHTS = {1: 30, 2: 35, 3: 22, 4: 13}
FIRST_HOLDER = {"LN": 5, "LN-SY": 3, "LN-DL": 2}
OTHER_HOLDERS = {
    "LN": 3,
    "LN-SY": 6,
    "LN-DL": 5,
    "LN-SY-KP": 4,
    "LN-SY-FK": 3,
    "LN-DL-ZH": 4,
    "LN-SY-KP-01": 2,
    "LN-SY-FK-01": 2,
    "LN-SY-SR1": 3,
    "LN-SS-01": 2,
    "LN-BM-01": 2,
}
# Small places shelve part of their popular science and literature in the children's room.
CHILDREN_ROOMS = {"LN-SY-KP-01", "LN-SY-FK-01", "LN-SY-SR1", "LN-BM-01"}
CHILDREN_FRIENDLY = ("I2", "N", "Q", "J2")
SHELVES: dict[str, str] = {
    ItemType.BOOK: "中文图书借阅区",
    ItemType.CHILDREN: "少儿阅览室",
    ItemType.PERIODICAL: "期刊阅览室",
    ItemType.AUDIOVISUAL: "视听资料室",
    ItemType.REFERENCE: "工具书阅览室",
    ItemType.RARE: "古籍书库",
    ItemType.LOCAL: "地方文献阅览室",
}
NOT_PHYSICAL = (ResourceType.DIGITAL, ResourceType.WEB)
_LC_CLASS = re.compile(r"^[A-Z]{1,3}\d")


@dataclass(frozen=True)
class Copy:
    """One copy to write: which record, where, and as what."""

    record_id: int
    library: Library
    item_type: str
    call_number: str
    price: Decimal
    shelving_location: str
    created_at: datetime


def barcode_prefix(library: Library) -> str:
    """The legacy barcode series a copy's home library printed: its city's (SY, DL), else the province's (LN)."""
    parts = library.code.split("-")
    return parts[1] if len(parts) > 1 and parts[1] in ("SY", "DL") else "LN"


def record_item_type(record: Record) -> str:
    """The item type a record's copies take from its resource type, local-document flag and CLC class."""
    if record.resource_type == ResourceType.ANCIENT:
        return ItemType.RARE
    if record.resource_type == ResourceType.PERIODICAL:
        return ItemType.PERIODICAL
    if record.resource_type == ResourceType.AUDIOVISUAL:
        return ItemType.AUDIOVISUAL
    if record.resource_type == ResourceType.MICROFORM or record.clc_class.startswith("Z3"):
        return ItemType.REFERENCE  # dictionaries, encyclopaedias, yearbooks and microfilm are read in the library
    if record.is_local_document:
        return ItemType.LOCAL
    if record.clc_class.startswith("I287"):
        return ItemType.CHILDREN
    return ItemType.BOOK


def shelf_class(record: Record) -> str:
    """The class a copy is shelved by: the CLC class, else an LC class from the source record, else none."""
    if record.clc_class:
        return record.clc_class
    return next((value.split()[0] for value in record.other_classes if _LC_CLASS.match(value)), "")


def price_for(rng: random.Random, record: Record, item_type: str) -> Decimal:
    """A plausible price in yuan: imported books cost several hundred, reference and local works more."""
    if record.language and record.language != "chi":
        low, high = 180, 680
    elif item_type in (ItemType.REFERENCE, ItemType.LOCAL, ItemType.RARE):
        low, high = 68, 298
    elif item_type == ItemType.CHILDREN:
        low, high = 18, 45
    else:
        low, high = 26, 98
    return Decimal(f"{rng.randint(low, high)}.{rng.choice(('00', '00', '80', '50', '90'))}")


def plan_copies(
    records: Iterable[Record], libraries: dict[str, Library], *, sequence: dict[str, int], before: datetime
) -> list[Copy]:
    """Decide each record's copies: how many, where, item type, call number (class/种次号) and price."""
    rng = random.Random(ITEM_SEED)
    counts, count_weights = zip(*COPY_WEIGHTS.items(), strict=True)
    copies = []
    for record in records:
        item_type = record_item_type(record)
        klass = shelf_class(record)
        if not klass:
            continue  # nothing to shelve it by: it stays uncatalogued for the shelves
        sequence[klass] = sequence.get(klass, 0) + 1
        call_number = f"{klass}/{sequence[klass]}"
        price = price_for(rng, record, item_type)
        holders = _holders(rng, rng.choices(counts, count_weights)[0])
        added = before - timedelta(days=rng.randint(20, 900), hours=rng.randint(0, 9))
        for code in holders:
            copy_type = item_type
            if (
                item_type == ItemType.BOOK
                and code in CHILDREN_ROOMS
                and record.clc_class.startswith(CHILDREN_FRIENDLY)
                and rng.random() < 0.4
            ):
                copy_type = ItemType.CHILDREN
            shelf = SHELVES[copy_type]
            if copy_type == ItemType.BOOK and record.language and record.language != "chi":
                shelf = "外文图书借阅区"
            copies.append(
                Copy(record.pk, libraries[code], copy_type, call_number, price, shelf, added + timedelta(minutes=5))
            )
    return copies


def _holders(rng: random.Random, count: int) -> list[str]:
    first = rng.choices(list(FIRST_HOLDER), list(FIRST_HOLDER.values()))[0]
    holders = [first]
    while len(holders) < count:
        code = rng.choices(list(OTHER_HOLDERS), list(OTHER_HOLDERS.values()))[0]
        if code not in holders:
            holders.append(code)
    return holders


@transaction.atomic
def load_items(libraries: dict[str, Library], *, before: datetime) -> dict[str, int]:
    """Give every physical record without copies its copies, added before `before`; return the counts."""
    held = set(Item.objects.values_list("record_id", flat=True).distinct())
    records = (
        Record.objects.exclude(resource_type__in=NOT_PHYSICAL)
        .only("id", "clc_class", "other_classes", "resource_type", "is_local_document", "language")
        .order_by("id")
    )
    sequence = _sequence_so_far()
    wanted = [record for record in records if record.pk not in held]
    copies = plan_copies(wanted, libraries, sequence=sequence, before=before)
    barcodes = _barcodes([copy.library for copy in copies])
    qr_codes = _qr_codes(len(copies))
    items = Item.objects.bulk_create(
        [
            Item(
                record_id=copy.record_id,
                barcode=barcode,
                qr_code=qr_code,
                call_number=copy.call_number,
                home_library=copy.library,
                current_library=copy.library,
                shelving_location=copy.shelving_location,
                item_type=copy.item_type,
                price=copy.price,
                status=ItemStatus.AVAILABLE,
                status_changed_at=copy.created_at,
                created_at=copy.created_at,
                updated_at=copy.created_at,
            )
            for copy, barcode, qr_code in zip(copies, barcodes, qr_codes, strict=True)
        ],
        batch_size=1000,
    )
    ItemStatusChange.objects.bulk_create(
        [
            ItemStatusChange(
                item=item,
                from_status="",
                to_status=ItemStatus.AVAILABLE,
                library=item.home_library,
                changed_at=item.created_at,
            )
            for item in items
        ],
        batch_size=1000,
    )
    events.record_many(
        "holdings.item_created",
        data=[
            {
                "object_type": "holdings.item",
                "object_id": item.pk,
                "barcode": item.barcode,
                "record": item.record_id,
                "library": item.home_library.code,
                "source": "demo",
            }
            for item in items
        ],
    )
    return {"items": Item.objects.count(), "items_created": len(items)}


def _sequence_so_far() -> dict[str, int]:
    """The last 种次号 given in each class, read from the call numbers already on the shelves."""
    last: dict[str, int] = defaultdict(int)
    for call_number in Item.objects.values_list("call_number", flat=True).distinct():
        klass, _slash, number = call_number.rpartition("/")
        if klass and number.isdigit():
            last[klass] = max(last[klass], int(number))
    return dict(last)


def _barcodes(libraries: list[Library]) -> list[str]:
    """Number each copy in its home library's legacy series, after the highest number already used."""
    following: dict[str, int] = {}
    out = []
    for library in libraries:
        prefix = barcode_prefix(library)
        if prefix not in following:
            following[prefix] = _highest(prefix)
        following[prefix] += 1
        out.append(f"{prefix}{following[prefix]:08d}")
    return out


def _highest(prefix: str) -> int:
    numbers = [
        int(code[len(prefix) :])
        for code in Item.objects.filter(barcode__startswith=prefix).values_list("barcode", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0)


def _qr_codes(count: int) -> list[str]:
    """Draw `count` fresh QR codes, none already used as a QR code or a barcode."""
    codes: list[str] = []
    drawn: set[str] = set()
    while len(codes) < count:
        batch = {identity.new_qr_code() for _ in range(min(count - len(codes), 5000))} - drawn
        taken = set(Item.objects.filter(qr_code__in=batch).values_list("qr_code", flat=True))
        taken |= set(Item.objects.filter(barcode__in=batch).values_list("barcode", flat=True))
        fresh = sorted(batch - taken)
        drawn.update(fresh)
        codes += fresh
    return codes
