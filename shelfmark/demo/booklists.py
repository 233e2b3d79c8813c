"""Demo reading promotion: new arrivals at the Kangping county library, one staff pick and one children's list.

Everything comes from the demo catalogue through the real services. Kangping (康平县图书馆, under Shenyang) has just
received copies of a dozen titles that only the provincial library and Dalian held, so they are new to Kangping
and to Shenyang (/new/?library=LN-SY-KP), not to the network. The Shenyang circulation librarian publishes a staff
pick for 沈阳市图书馆, the Kangping cataloguer a children's list (stories and popular science for 7–9) for 康平县图书馆. Titles are
taken from the newest records, away from the oldest ones the circulation scenes lend. A second run finds its
mark (an audit event) and the lists by title, and adds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shelfmark.booklists import services as booklists
from shelfmark.booklists.models import BookList, Kind
from shelfmark.catalog.models import Record
from shelfmark.core import events
from shelfmark.core.models import AuditEvent
from shelfmark.holdings import services as holdings
from shelfmark.holdings.models import Item, ItemStatus, ItemType
from shelfmark.libraries.models import Library

BASE_URL = "http://127.0.0.1:8000"
ARRIVALS_MARK = "demo.new_arrivals_loaded"
NEW_ARRIVALS = 12
# Where the new copies went, in turn, and how many days ago each arrived (the last one falls outside 30 days).
ARRIVING_AT = ("LN-SY-KP", "LN-SY-KP-01", "LN-SY-KP")
ARRIVAL_DAYS = (2, 3, 5, 6, 8, 11, 13, 16, 19, 22, 26, 34)

STAFF_PICK_TITLE = "馆员荐书：读懂脚下的土地"
STAFF_PICK_LIBRARY = "LN-SY"
STAFF_PICK_CLASSES = ("K", "I2", "C9", "F3", "G1")  # history, Chinese literature, society, farming, culture
STAFF_PICK_NOTE = "{subject}方面的好读本：篇幅适中，读来不累，适合带着问题慢慢读。"

CHILDREN_TITLE = "少儿书单：7–9 岁的故事与科普"
CHILDREN_LIBRARY = "LN-SY-KP"
CHILDREN_AGE = "7-9"
CHILDREN_SIZE = 6
# Children's literature first, then popular science and animals, the classes a children's room shelves most.
CHILDREN_CLASSES = ("I287", "N4", "Q9", "Q1")
CHILDREN_NOTE = "适合 7–9 岁的孩子自己读，也适合大人陪着一起读。"


def _librarian(username: str) -> Any:
    users = get_user_model().objects
    return users.filter(username=username).first() or users.filter(is_superuser=True).order_by("id").first()


def _shelved() -> Any:
    """Records with a copy on some shelf, newest first, without their MARC."""
    held = Item.objects.exclude(status=ItemStatus.WITHDRAWN).values("record_id")
    return Record.objects.filter(pk__in=held).exclude(clc_class="").defer("marc").order_by("-id")


def _arrivals(libraries: dict[str, Library], *, actor: Any, now: datetime) -> int:
    """Give Kangping copies of titles Shenyang's libraries never held, received over the last weeks; once."""
    if AuditEvent.objects.filter(kind=ARRIVALS_MARK).exists():
        return 0
    shenyang = libraries["LN-SY"].path
    in_shenyang = Item.objects.filter(home_library__path__startswith=shenyang).values("record_id")
    chosen = list(_shelved().exclude(pk__in=in_shenyang).filter(language="chi")[:NEW_ARRIVALS])
    for n, (record, days) in enumerate(zip(chosen, ARRIVAL_DAYS, strict=False)):
        holdings.create_item(
            record=record,
            home_library=libraries[ARRIVING_AT[n % len(ARRIVING_AT)]],
            actor=actor,
            item_type=ItemType.BOOK,
            call_number=f"{record.clc_class}/{n + 1}",
            shelving_location="新书展架",
            now=now - timedelta(days=days),
        )
    events.record(ARRIVALS_MARK, actor=actor, data={"records": [record.pk for record in chosen]}, now=now)
    return len(chosen)


def _publish(
    *,
    title: str,
    kind: str,
    library: Library,
    actor: Any,
    entries: list[tuple[Record, str]],
    description: str,
    age_band: str = "",
    now: datetime,
) -> BookList | None:
    """Return the list with this title at this library, composing and publishing it the first time (None: no titles)."""
    found = BookList.objects.filter(title=title, library=library).first()
    if found is not None or not entries:
        return found
    book_list = booklists.create_list(
        library=library, title=title, kind=kind, age_band=age_band, description=description, actor=actor, now=now
    )
    for record, note in entries:
        booklists.add_entry(book_list=book_list, record=record, note=note, actor=actor, now=now)
    return booklists.publish(book_list=book_list, actor=actor, now=now)


def _staff_picks() -> list[tuple[Record, str]]:
    """One shelved title of each class the pick covers, with words from its first subject heading."""
    picks = []
    for prefix in STAFF_PICK_CLASSES:
        record = _shelved().filter(clc_class__startswith=prefix, language="chi").first()
        if record is not None:
            subject = (record.subjects[0] if record.subjects else record.clc_class).split("--")[0]
            picks.append((record, STAFF_PICK_NOTE.format(subject=subject)))
    return picks


@transaction.atomic
def load_booklists(libraries: dict[str, Library], *, now: datetime | None = None) -> dict[str, Any]:
    """Add Kangping's new arrivals and publish the two demo lists (once); return what the summary shows."""
    now = now or timezone.now()
    desk, kangping = _librarian("desk"), _librarian("kangping")
    added = _arrivals(libraries, actor=kangping, now=now)
    staff_pick = _publish(
        title=STAFF_PICK_TITLE,
        kind=Kind.STAFF_PICK,
        library=libraries[STAFF_PICK_LIBRARY],
        actor=desk,
        entries=_staff_picks(),
        description="沈阳市图书馆的馆员从馆藏里挑出的几本书：历史、文学、社会、农业和文化，各一本。",
        now=now,
    )
    kids: list[tuple[Record, str]] = []
    for prefix in CHILDREN_CLASSES:
        wanted = CHILDREN_SIZE - len(kids)
        kids += [(record, CHILDREN_NOTE) for record in _shelved().filter(clc_class__startswith=prefix)[:wanted]]
    children = _publish(
        title=CHILDREN_TITLE,
        kind=Kind.CHILDREN,
        library=libraries[CHILDREN_LIBRARY],
        actor=kangping,
        entries=kids,
        description="康平县图书馆少儿阅览室推荐的儿童故事和科普读物。",
        age_band=CHILDREN_AGE,
        now=now,
    )
    return {
        "new_arrivals_url": f"{BASE_URL}/new/?library=LN-SY-KP",
        "new_arrivals_added": added,
        "lists": [
            {"title": book_list.title, "kind": book_list.kind, "url": f"{BASE_URL}/lists/{book_list.pk}/"}
            for book_list in (staff_pick, children)
            if book_list is not None
        ],
        "children_url": f"{BASE_URL}/children/",
        "staff_url": f"{BASE_URL}/staff/lists/",
    }
