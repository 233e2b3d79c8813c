"""Demo readers: a dozen named readers, one for each case the desk must handle, and a crowd across the network.

Every reader is registered through `patrons.services.create_patron`, dated before the loan history starts. PINs
come from a short list and each is hashed once (the hasher takes about 0.3 s), then passed as `pin_hash`.
Readers are matched on card number, so running the demo again adds only the readers that are missing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from shelfmark.libraries.models import Library
from shelfmark.patrons import idcard
from shelfmark.patrons import services as patron_services
from shelfmark.patrons.models import Category, Patron

PINS = ("1234", "2468", "1357")
READER_SEED = 2026
DEFAULT_READERS = 220
CROWD_CARD_START = 1001

# Where the crowd is registered: the province and cities have most readers, branches and the bookmobile a few.
HOME_WEIGHTS = {
    "LN": 50,
    "LN-SY": 45,
    "LN-DL": 35,
    "LN-SY-KP": 20,
    "LN-SY-FK": 15,
    "LN-DL-ZH": 20,
    "LN-SY-KP-01": 10,
    "LN-SY-FK-01": 8,
    "LN-SY-SR1": 12,
    "LN-BM-01": 5,
}
CATEGORY_WEIGHTS = {
    Category.ADULT: 44,
    Category.STUDENT: 15,
    Category.SENIOR: 12,
    Category.CHILD: 12,
    Category.MINOR: 8,
    Category.DISABLED: 3,
    Category.STAFF: 3,
    Category.INSTITUTIONAL: 3,
}
# Birth years by category, for ID-card numbers that agree with the reader's age.
BIRTH_YEARS: dict[str, tuple[int, int]] = {
    Category.CHILD: (2014, 2019),
    Category.MINOR: (2008, 2012),
    Category.STUDENT: (1998, 2006),
    Category.SENIOR: (1940, 1963),
}
# GB/T 2260 district codes of the cities the network serves.
DISTRICTS = {"LN-SY": "210102", "LN-DL": "210202", "LN-SY-KP": "210123", "LN-SY-FK": "210124", "LN-DL-ZH": "210283"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂兰玉萍红霞鑫波宇浩凯晨欣怡子涵梓轩雨桐思远博文嘉"
SCHOOLS = ["实验小学", "和平一校", "育才学校", "东北育才小学", "南京街第一小学"]


@dataclass(frozen=True)
class Featured:
    """A named reader the demo lists with their PIN, and the case they show at the desk."""

    key: str
    card: str
    name: str
    category: str
    library: str
    note: str
    pin: str = PINS[0]
    email: str = ""
    phone: str = ""
    address: str = ""
    responsible_person: str = ""
    home_delivery: bool = False
    history_opt_in: bool = False
    expired_days_ago: int | None = None


FEATURED: list[Featured] = [
    Featured(
        "main",
        "R2100000001",
        "张伟",
        Category.ADULT,
        "LN-SY",
        "成人读者：在借、预约待取、保留借阅历史",
        email="zhangwei@example.com",
        phone="13804010001",
        history_opt_in=True,
    ),
    Featured(
        "student", "R2100000002", "李娜", Category.STUDENT, "LN", "学生读者", pin=PINS[1], email="lina@example.com"
    ),
    Featured("child", "R2100000003", "王小明", Category.CHILD, "LN-SY-KP", "少儿读者：借期21天，最多5册"),
    Featured("minor", "R2100000004", "刘洋", Category.MINOR, "LN-DL", "未成年读者：有逾期图书", phone="13904110004"),
    Featured("senior", "R2100000005", "陈秀英", Category.SENIOR, "LN-SY-FK", "老年读者：借期45天，可续借2次"),
    Featured(
        "disabled",
        "R2100000006",
        "赵建国",
        Category.DISABLED,
        "LN-SY",
        "残障读者：可送书上门，免滞纳金",
        pin=PINS[2],
        phone="13804010006",
        address="沈阳市和平区南京南街 88 号 3 单元 201",
        home_delivery=True,
    ),
    Featured("staff", "R2100000007", "孙丽", Category.STAFF, "LN", "馆员读者：借期60天，最多20册"),
    Featured(
        "class",
        "R2100000008",
        "沈阳市实验小学三年级二班",
        Category.INSTITUTIONAL,
        "LN-SY",
        "班级集体证：负责人李老师，最多50册",
        responsible_person="李春梅老师",
        phone="02423450008",
    ),
    Featured("expired", "R2100000009", "周强", Category.ADULT, "LN-DL-ZH", "读者证已过期", expired_days_ago=20),
    Featured("blocked", "R2100000010", "吴敏", Category.ADULT, "LN-SY-KP", "人工停借"),
    Featured("fines", "R2100000011", "郑浩", Category.ADULT, "LN-SY", "有未缴滞纳金", email="zhenghao@example.com"),
    Featured("deposit", "R2100000012", "冯磊", Category.ADULT, "LN", "信用较差：需交押金才能借书"),
]


@dataclass
class Readers:
    """The demo readers: the named ones by their key, and the crowd that makes the history."""

    featured: dict[str, Patron] = field(default_factory=dict)
    crowd: list[Patron] = field(default_factory=list)
    created: int = 0


def crowd_card(n: int) -> str:
    return f"R21000{CROWD_CARD_START + n:05d}"


def id_number(rng: random.Random, *, district: str, born: date, serial: int) -> str:
    """Return a valid GB 11643 number (so the register accepts it) for a made-up reader."""
    first17 = f"{district}{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + idcard.check_character(first17)


def load_readers(
    libraries: dict[str, Library], *, count: int = DEFAULT_READERS, start: datetime, now: datetime | None = None
) -> Readers:
    """Register the named readers and `count` crowd readers that are missing; they joined before `start`."""
    now = now or timezone.now()
    rng = random.Random(READER_SEED)
    existing = {p.card_number: p for p in Patron.objects.filter(card_number__startswith="R2100")}
    hashes: dict[str, str] = {}

    def pin_hash(pin: str) -> str:
        if pin not in hashes:
            hashes[pin] = patron_services.hash_pin(pin)
        return hashes[pin]

    readers = Readers()
    serial = 0
    for spec in FEATURED:
        serial += 1
        # Draw every value even for a reader already there, so the readers after it stay the same.
        joined = start - timedelta(days=rng.randint(200, 1200))
        number = _id_for(rng, spec.category, spec.library, serial, joined)
        if spec.card in existing:
            readers.featured[spec.key] = existing[spec.card]
            continue
        expires_on = None
        if spec.expired_days_ago is not None:
            expires_on = timezone.localdate(now) - timedelta(days=spec.expired_days_ago)
            joined = min(joined, now - timedelta(days=5 * 365))
        readers.featured[spec.key] = patron_services.create_patron(
            card_number=spec.card,
            name=spec.name,
            category=spec.category,
            home_library=libraries[spec.library],
            actor=None,
            pin_hash=pin_hash(spec.pin),
            id_number=number,
            expires_on=expires_on,
            email=spec.email,
            phone=spec.phone,
            address=spec.address,
            responsible_person=spec.responsible_person,
            history_opt_in=spec.history_opt_in,
            home_delivery=spec.home_delivery,
            now=joined,
        )
        readers.created += 1
    homes, home_weights = zip(*HOME_WEIGHTS.items(), strict=True)
    categories, category_weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
    for n in range(count):
        card = crowd_card(n)
        home = rng.choices(homes, home_weights)[0]
        category = rng.choices(categories, category_weights)[0]
        joined = start - timedelta(days=rng.randint(30, 1400), hours=rng.randint(0, 8))
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        serial += 1
        details = _crowd_details(rng, category=category, home=home, name=name, serial=serial, joined=joined)
        pin = PINS[n % len(PINS)]
        if card in existing:
            readers.crowd.append(existing[card])
            continue
        readers.crowd.append(
            patron_services.create_patron(
                card_number=card,
                category=category,
                home_library=libraries[home],
                actor=None,
                pin_hash=pin_hash(pin),
                now=joined,
                **details,
            )
        )
        readers.created += 1
    return readers


def _crowd_details(
    rng: random.Random, *, category: str, home: str, name: str, serial: int, joined: datetime
) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name}
    if category == Category.INSTITUTIONAL:
        grade = rng.randint(1, 6)
        details["name"] = f"{rng.choice(SCHOOLS)}{grade}年级{rng.randint(1, 8)}班"
        details["responsible_person"] = f"{rng.choice(SURNAMES)}老师"
    else:
        details["id_number"] = _id_for(rng, category, home, serial, joined)
    if rng.random() < 0.25:
        details["phone"] = f"139{rng.randint(0, 99_999_999):08d}"
    if rng.random() < 0.1:
        details["email"] = f"reader{serial}@example.com"
    if category == Category.DISABLED:
        details["home_delivery"] = True
    if rng.random() < 0.15:
        details["history_opt_in"] = True
    return details


def _id_for(rng: random.Random, category: str, home: str, serial: int, joined: datetime) -> str | None:
    """Return an ID-card number for readers who register with one; class cards have none."""
    if category == Category.INSTITUTIONAL:
        return None
    low, high = BIRTH_YEARS.get(category, (1965, 1997))
    born = date(rng.randint(low, high), rng.randint(1, 12), rng.randint(1, 28))
    district = DISTRICTS.get(home) or DISTRICTS.get(home.rsplit("-", 1)[0], "210103")
    return id_number(rng, district=district, born=born, serial=serial)
