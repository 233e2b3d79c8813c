"""What the demo lists for people trying it: reader cards with PINs, barcodes to scan, and circulation counts.

Read from the database as it stands, so a second run lists the same cards and the copies that are on the shelf
now. Each section is a JSON-ready dict, so other parts of the demo can add sections of their own beside these.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from shelfmark.circulation.models import CirculationEvent, Hold, Loan, Transit
from shelfmark.demo.readers import FEATURED, Readers
from shelfmark.holdings.models import Item, ItemStatus, ItemType
from shelfmark.patrons.models import Category

# Where the demo's available copies are listed from: the 沈阳 desk login's library first.
SHELF_LIBRARIES = ("LN-SY", "LN", "LN-SY-KP", "LN-DL")
PER_LIBRARY = 4


def reader_cards(readers: Readers) -> list[dict[str, Any]]:
    """The named readers' cards with their PINs, categories, home libraries and what each one shows."""
    cards = []
    for spec in FEATURED:
        patron = readers.featured[spec.key]
        cards.append(
            {
                "case": spec.key,
                "card": patron.card_number,
                "pin": spec.pin,
                "name": patron.name,
                "category": patron.category,
                "category_label": str(Category(patron.category).label),
                "library": spec.library,
                "note": spec.note,
            }
        )
    return cards


def _item(item: Item) -> dict[str, Any]:
    return {
        "barcode": item.barcode,
        "qr_code": item.qr_code,
        "title": item.record.title,
        "call_number": item.call_number,
        "item_type": item.item_type,
        "library": item.current_library.code,
    }


def _items() -> Any:
    return Item.objects.select_related("record", "current_library").defer("record__marc")


def available_items(per_library: int = PER_LIBRARY) -> list[dict[str, Any]]:
    """Copies on the shelf that any adult may borrow at once: books with nobody waiting for their title."""
    listed = []
    for code in SHELF_LIBRARIES:
        shelf = (
            _items()
            .filter(current_library__code=code, status=ItemStatus.AVAILABLE, item_type=ItemType.BOOK)
            .filter(record__language="chi")
            .exclude(record__holds__status__in=Hold.ACTIVE)
            .order_by("id")[:per_library]
        )
        listed += [_item(item) for item in shelf]
    return listed


def item_cases(readers: Readers) -> dict[str, Any]:
    """One copy for each state the desk handles: on loan, waiting on the hold shelf, overdue, in transit."""
    cases: dict[str, Any] = {"available": available_items()}
    main = readers.featured["main"]
    loan = Loan.objects.filter(patron=main, status=Loan.Status.ACTIVE).order_by("due_on", "id").first()
    if loan is not None:
        cases["on_loan"] = {
            **_item(_items().get(pk=loan.item_id)),
            "reader": main.card_number,
            "due_on": str(loan.due_on),
        }
    today = timezone.localdate()
    late = Loan.objects.filter(status=Loan.Status.ACTIVE, due_on__lt=today, patron=readers.featured["minor"]).first()
    if late is not None:
        cases["overdue"] = {
            **_item(_items().get(pk=late.item_id)),
            "reader": readers.featured["minor"].card_number,
            "due_on": str(late.due_on),
        }
    ready = Hold.objects.filter(status=Hold.Status.READY, trapped_item__isnull=False).select_related(
        "patron", "pickup_library"
    )
    hold = ready.filter(patron=main).first() or ready.order_by("-ready_at").first()
    if hold is not None and hold.trapped_item_id is not None:
        cases["on_hold_shelf"] = {
            **_item(_items().get(pk=hold.trapped_item_id)),
            "reader": hold.patron.card_number,
            "pickup_library": hold.pickup_library.code,
            "expires_on": str(hold.expires_on),
        }
    transit = Transit.objects.filter(received_at__isnull=True).select_related("to_library").order_by("-sent_at").first()
    if transit is not None:
        cases["in_transit"] = {**_item(_items().get(pk=transit.item_id)), "to_library": transit.to_library.code}
    return cases


def circulation_counts() -> dict[str, Any]:
    """How much circulation the demo holds, for the summary line."""
    loans = Loan.objects.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=Loan.Status.ACTIVE)),
        overdue=Count("id", filter=Q(status=Loan.Status.ACTIVE, due_on__lt=timezone.localdate())),
    )
    holds = dict(Hold.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {
        "loans": loans["total"],
        "active_loans": loans["active"],
        "overdue_loans": loans["overdue"],
        "holds": holds,
        "open_transits": Transit.objects.filter(received_at__isnull=True).count(),
        "events": CirculationEvent.objects.count(),
    }
