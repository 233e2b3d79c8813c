"""The named readers' stories: each leaves the desk one case to show, made through the real services.

Scenes use their own titles (kept out of the crowd's history) and copies made with `holdings.services.create_item`,
so one scene never lends a copy another has out. Steps run in time order; the last ones happen a few hours ago.
What they leave: 张伟 with loans, a kept history, a booking waiting on the hold shelf at 沈阳 and one in a queue;
a copy travelling home to 法库 and one travelling to 康平 for 王小明's booking; 刘洋's overdue book; 郑浩's unpaid
fines; 冯磊's two lost books, poor credit and the deposit that lets him borrow; 吴敏's manual block; a class card's
set of books; 赵建国's home-delivery booking; 周强's card, expired after years of use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q

from shelfmark.catalog.models import Record
from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import Hold, Loan
from shelfmark.demo.history import Actors
from shelfmark.demo.items import record_item_type
from shelfmark.fines import services as fine_services
from shelfmark.holdings import services as item_services
from shelfmark.holdings.models import Item, ItemStatus, ItemType
from shelfmark.libraries.models import Library
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.models import Patron

SCENE_TITLES = 15
BLOCK_REASON = "污损图书未赔偿，赔偿后解除停借"
# The copies the scenes lend, made through holdings.services.create_item: key, title (index into the scene titles),
# home library, item type, price ("" = the price of the title's other copies).
SCENE_COPIES: list[tuple[str, int, str, str, str]] = [
    ("m1", 0, "LN-SY", ItemType.BOOK, ""),
    ("m2", 1, "LN-SY", ItemType.BOOK, ""),
    ("m3", 2, "LN", ItemType.BOOK, ""),
    ("m4", 3, "LN-SY", ItemType.BOOK, ""),
    ("m5", 4, "LN-SY", ItemType.BOOK, ""),
    ("s1", 5, "LN-SY", ItemType.BOOK, ""),
    ("s2", 7, "LN", ItemType.BOOK, ""),
    ("l1", 6, "LN-DL", ItemType.BOOK, ""),
    ("l2", 11, "LN", ItemType.BOOK, ""),
    ("c1", 8, "LN-SY-FK", ItemType.BOOK, ""),
    ("d1", 9, "LN-DL", ItemType.CHILDREN, ""),
    ("d2", 10, "LN-DL", ItemType.BOOK, ""),
    ("f1", 11, "LN-SY", ItemType.BOOK, ""),
    ("f2", 12, "LN-SY", ItemType.BOOK, ""),
    ("p1", 13, "LN", ItemType.BOOK, ""),
    ("p2", 14, "LN", ItemType.BOOK, ""),
    ("p3", 0, "LN", ItemType.BOOK, ""),
    ("p4", 1, "LN", ItemType.BOOK, ""),
    ("p5", 2, "LN", ItemType.BOOK, "45.00"),
    ("w1", 3, "LN-SY-KP", ItemType.BOOK, ""),
    ("z1", 4, "LN-DL-ZH", ItemType.BOOK, ""),
    ("x1", 7, "LN-SY", ItemType.BOOK, ""),
]


def reserved_records(count: int = SCENE_TITLES) -> list[Record]:
    """The titles the scenes lend: ordinary books with a class, and a children's title tenth when there is one."""
    books = [
        record
        for record in Record.objects.exclude(clc_class="")
        .filter(resource_type="print", is_local_document=False)
        .defer("marc")
        .order_by("id")[: count * 4]
        if record_item_type(record) == ItemType.BOOK
    ]
    chosen = books[:count]
    children = Record.objects.filter(clc_class__startswith="I287").defer("marc").order_by("id").first()
    if children is not None and len(chosen) > 9:
        chosen[9] = children
    return chosen


@dataclass
class Scenes:
    """A timeline of steps on the scene copies (`items` by key) and the loans they make (`loans` by key)."""

    libraries: dict[str, Library]
    actors: Actors
    readers: dict[str, Patron]
    records: list[Record]
    now: datetime
    items: dict[str, Item] = field(default_factory=dict)
    loans: dict[str, Loan] = field(default_factory=dict)
    steps: list[tuple[datetime, int, Callable[[], Any]]] = field(default_factory=list)

    def ago(self, days: int, hours: int = 0) -> datetime:
        return self.now - timedelta(days=days, hours=hours)

    def at(self, moment: datetime, action: Callable[[], Any]) -> None:
        self.steps.append((moment, len(self.steps), action))

    def copy(self, key: str, record: int, code: str, item_type: str = ItemType.BOOK, price: str = "") -> None:
        """Add a copy through the holdings service, shelved like the title's other copies."""
        title = self.records[record]
        sibling = Item.objects.filter(record=title).order_by("id").first()
        self.items[key] = item_services.create_item(
            record=title,
            home_library=self.libraries[code],
            actor=self.actors.at(self.libraries[code]),
            item_type=item_type,
            call_number=sibling.call_number if sibling else f"{title.clc_class}/1",
            price=Decimal(price) if price else (sibling.price if sibling else Decimal("39.00")),
            shelving_location="少儿阅览室" if item_type == ItemType.CHILDREN else "中文图书借阅区",
            now=self.ago(160),
        )

    def lend(self, key: str, reader: str, code: str, days: int, hours: int = 0) -> None:
        library = self.libraries[code]

        def run() -> None:
            self.loans[key] = circulation.check_out(
                item=self.items[key],
                patron=self.readers[reader],
                library=library,
                actor=self.actors.at(library),
                now=self.ago(days, hours),
            )

        self.at(self.ago(days, hours), run)

    def give_back(self, key: str, code: str, days: int, hours: int = 0) -> None:
        library = self.libraries[code]
        self.at(
            self.ago(days, hours),
            lambda: circulation.check_in(
                item=self.items[key], library=library, actor=self.actors.at(library), now=self.ago(days, hours)
            ),
        )

    def lose(self, key: str, days: int) -> None:
        self.at(
            self.ago(days),
            lambda: circulation.mark_lost(loan=self.loans[key], actor=self.actors.fallback, now=self.ago(days)),
        )

    def book(self, reader: str, record: int, code: str, days: int, home_delivery: bool = False) -> None:
        self.at(
            self.ago(days),
            lambda: circulation.place_hold(
                patron=self.readers[reader],
                record=self.records[record],
                pickup_library=None if home_delivery else self.libraries[code],
                home_delivery=home_delivery,
                actor=None,
                now=self.ago(days),
            ),
        )

    def play(self) -> None:
        for _moment, _order, action in sorted(self.steps, key=lambda step: step[:2]):
            action()


def play_scenes(
    *, libraries: dict[str, Library], actors: Actors, readers: dict[str, Patron], now: datetime
) -> dict[str, int]:
    """Make the copies the scenes need and play every scene in time order; return how many steps ran."""
    records = reserved_records()
    if len(records) < SCENE_TITLES:
        return {"scene_steps": 0}
    s = Scenes(libraries=libraries, actors=actors, readers=readers, records=records, now=now)
    for key, record, code, item_type, price in SCENE_COPIES:
        s.copy(key, record, code, item_type, price)
    # 张伟 (沈阳, keeps his history): a book returned at a study room of the same city stays there (floating);
    # one renewed online; one from the province returned in 沈阳 and sent home; two out now; two bookings.
    s.lend("m1", "main", "LN-SY", 120)
    s.give_back("m1", "LN-SY-SR1", 101)
    s.lend("m2", "main", "LN-SY", 95)
    s.at(s.ago(68), lambda: circulation.renew(loan=s.loans["m2"], actor=None, now=s.ago(68)))
    s.give_back("m2", "LN-SY", 50)
    s.lend("m3", "main", "LN", 40)
    s.give_back("m3", "LN-SY", 26)
    s.give_back("m3", "LN", 24)
    s.lend("m4", "main", "LN-SY", 12)
    s.lend("m5", "main", "LN-SY", 5)
    # 孙丽 returns the copy 张伟 booked: it waits for him on the 沈阳 hold shelf.
    # 孙丽 (staff) brings back a title 李娜 booked; she collects it two days later.
    s.lend("s2", "staff", "LN", 60)
    s.book("student", 7, "LN", 45)
    s.give_back("s2", "LN", 31)
    s.lend("s2", "student", "LN", 29)
    s.give_back("s2", "LN", 15)
    s.lend("s1", "staff", "LN-SY", 20)
    s.book("main", 5, "LN-SY", 6)
    s.give_back("s1", "LN-SY", 0, 20)
    # The only copy of a title is out with 李娜: 张伟, then 陈秀英, wait in its queue.
    s.lend("l2", "student", "LN", 75)
    s.give_back("l2", "LN", 52)
    s.lend("l1", "student", "LN-DL", 10)
    s.book("main", 6, "LN-SY", 3)
    s.book("senior", 6, "LN-SY-FK", 2)
    # 陈秀英 returns a 法库 book at the province's library: it travels home (a transit in progress).
    s.lend("c1", "senior", "LN-SY-FK", 30)
    s.give_back("c1", "LN", 0, 6)
    # 刘洋 (minor) returns at 大连 a children's book 王小明 booked for 康平: it travels there for him.
    # His other book is 15 days overdue.
    s.lend("d2", "minor", "LN-DL", 45)
    s.lend("d1", "minor", "LN-DL", 25)
    s.book("child", 9, "LN-SY-KP", 8)
    s.give_back("d1", "LN-DL", 1, 2)
    # 郑浩 returned three books on time, then two weeks late, and has not paid those fines.
    for key, out, back in (("f1", 150, 135), ("f2", 148, 130), ("f1", 128, 115)):
        s.lend(key, "fines", "LN-SY", out)
        s.give_back(key, "LN-SY", back)
    s.lend("f2", "fines", "LN-SY", 110)
    s.lend("f1", "fines", "LN-SY", 100)
    s.give_back("f1", "LN-SY", 58)
    s.give_back("f2", "LN-SY", 40)
    # 冯磊 returned two books late and lost two: he paid, but his credit is poor, so he borrows against a deposit.
    for key in ("p1", "p2"):
        s.lend(key, "deposit", "LN", 140)
    for key in ("p3", "p4"):
        s.lend(key, "deposit", "LN", 130)
    s.give_back("p1", "LN", 95)
    s.give_back("p4", "LN", 88)
    s.lose("p2", 85)
    s.lose("p3", 85)
    s.at(s.ago(84), lambda: _pay_all(s.readers["deposit"], actor=s.actors.fallback, now=s.ago(84)))
    s.at(
        s.ago(10),
        lambda: patron_services.take_deposit(
            patron=s.readers["deposit"],
            amount="100.00",
            actor=s.actors.fallback,
            note="信用较差，收取押金",
            now=s.ago(10),
        ),
    )
    s.lend("p5", "deposit", "LN", 10)
    # 吴敏 borrowed and returned, then was blocked by hand.
    s.lend("w1", "blocked", "LN-SY-KP", 70)
    s.give_back("w1", "LN-SY-KP", 50)
    s.at(
        s.ago(7),
        lambda: patron_services.add_block(
            patron=s.readers["blocked"], reason=BLOCK_REASON, actor=s.actors.at(libraries["LN-SY-KP"]), now=s.ago(7)
        ),
    )
    # 周强 used his card in 庄河 (45 days there) before it expired.
    s.lend("z1", "expired", "LN-DL-ZH", 130)
    s.give_back("z1", "LN-DL-ZH", 92)
    # 赵建国 has a book out for 60 days and a booking to be delivered home.
    s.lend("x1", "disabled", "LN-SY", 40)
    s.book("disabled", 3, "LN-SY", 4, home_delivery=True)
    # This morning: a teacher takes a class set on the class card, 王小明 borrows a picture book at 康平.
    s.at(s.ago(0, 3), lambda: _lend_from_shelf(s, "class", "LN-SY", 8, exclude=records, at=s.ago(0, 3)))
    s.at(s.ago(0, 2), lambda: _lend_from_shelf(s, "child", "LN-SY-KP", 1, exclude=records, at=s.ago(0, 2)))
    s.play()
    return {"scene_steps": len(s.steps)}


def _pay_all(patron: Patron, *, actor: Any, now: datetime) -> None:
    owed = Patron.objects.values_list("fines_owed", flat=True).get(pk=patron.pk)
    if owed > 0:
        fine_services.pay(patron=patron, amount=owed, actor=actor, method="wechat", now=now)


def _lend_from_shelf(s: Scenes, reader: str, code: str, count: int, *, exclude: list[Record], at: datetime) -> None:
    """Lend `count` copies standing on the shelf at `code` now, children's books first, a minute apart."""
    library = s.libraries[code]
    shelf = (
        Item.objects.filter(current_library=library, status=ItemStatus.AVAILABLE)
        .filter(Q(item_type=ItemType.CHILDREN) | Q(item_type=ItemType.BOOK))
        .exclude(record__in=exclude)
        .exclude(record__holds__status__in=Hold.ACTIVE)
        .order_by("-item_type", "id")
    )
    moment = at
    for item in list(shelf[:count]):
        moment += timedelta(minutes=1)
        circulation.check_out(
            item=item, patron=s.readers[reader], library=library, actor=s.actors.at(library), now=moment
        )
