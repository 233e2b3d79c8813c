"""The demo circulation rules: network terms of a Chinese public library, a floating city and a rural county.

The matrix follows `circulation.rules`: at one library a rule naming the item type beats one naming the reader
category, and any rule of a nearer library beats every network rule. So a library that changes the terms of books
(沈阳 lets them float within the city, 庄河 lends longer with grace days and a lower cap) gets one row per reader
category and loanable type, copied from the network's terms and changed; its reference, local and rare items still
fall to the network's not-loanable rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import transaction

from shelfmark.circulation import rules
from shelfmark.circulation.models import CirculationRule, ReturnPolicy
from shelfmark.core import events
from shelfmark.holdings.models import ItemType
from shelfmark.libraries.models import Level, Library
from shelfmark.patrons.models import Category

ANY = ""
PRICE_CAP = Decimal("30.00")  # "滞纳金不超过书价": the network's average book price stands in for it


@dataclass(frozen=True)
class Terms:
    """One row of the demo matrix, before it is tied to a library."""

    name: str
    patron_category: str = ANY
    item_type: str = ANY
    loanable: bool = True
    loan_days: int = 30
    max_loans: int = 10
    renewals: int = 1
    holds_allowed: bool = True
    hold_shelf_days: int = 7
    fine_per_day: Decimal = Decimal("0.10")
    fine_cap: Decimal | None = PRICE_CAP
    grace_days: int = 0
    return_policy: str = ReturnPolicy.HOME
    float_level: str = ""
    notes: str = ""
    library_path: str = field(default="", compare=False)  # "" = network; read by rules.choose_rule
    library_name: str = field(default="", compare=False)


def _not_loanable(name: str, item_type: str, note: str) -> Terms:
    return Terms(
        name=name,
        item_type=item_type,
        loanable=False,
        loan_days=0,
        max_loans=0,
        renewals=0,
        holds_allowed=False,
        fine_per_day=Decimal("0.00"),
        fine_cap=None,
        notes=note,
    )


NETWORK_RULES: list[Terms] = [
    Terms(name="全网默认：借期30天，续借1次，每日0.10元，上限30元", notes="滞纳金累计不超过书价（按平均书价30元计）。"),
    Terms(
        name="少儿读者",
        patron_category=Category.CHILD,
        loan_days=21,
        max_loans=5,
        fine_per_day=Decimal("0.05"),
        fine_cap=Decimal("10.00"),
    ),
    Terms(name="少儿图书", item_type=ItemType.CHILDREN, loan_days=21, max_loans=5, fine_cap=Decimal("20.00")),
    Terms(
        name="少儿读者借少儿图书",
        patron_category=Category.CHILD,
        item_type=ItemType.CHILDREN,
        loan_days=21,
        max_loans=5,
        fine_per_day=Decimal("0.05"),
        fine_cap=Decimal("10.00"),
    ),
    Terms(name="未成年读者", patron_category=Category.MINOR, max_loans=6),
    Terms(name="老年读者", patron_category=Category.SENIOR, loan_days=45, renewals=2),
    Terms(
        name="残障读者（可送书上门，免滞纳金）",
        patron_category=Category.DISABLED,
        loan_days=60,
        renewals=2,
        hold_shelf_days=14,
        fine_per_day=Decimal("0.00"),
        fine_cap=None,
    ),
    Terms(
        name="残障读者借少儿图书",
        patron_category=Category.DISABLED,
        item_type=ItemType.CHILDREN,
        loan_days=60,
        renewals=2,
        hold_shelf_days=14,
        fine_per_day=Decimal("0.00"),
        fine_cap=None,
    ),
    Terms(name="集体证（班级/单位）", patron_category=Category.INSTITUTIONAL, loan_days=60, max_loans=50),
    Terms(
        name="集体证借少儿图书（班级图书角）",
        patron_category=Category.INSTITUTIONAL,
        item_type=ItemType.CHILDREN,
        loan_days=60,
        max_loans=50,
    ),
    Terms(name="馆员", patron_category=Category.STAFF, loan_days=60, max_loans=20, renewals=2),
    Terms(name="期刊", item_type=ItemType.PERIODICAL, loan_days=14, max_loans=5, renewals=0),
    Terms(
        name="视听资料",
        item_type=ItemType.AUDIOVISUAL,
        loan_days=14,
        max_loans=3,
        fine_per_day=Decimal("0.20"),
        fine_cap=Decimal("20.00"),
    ),
    _not_loanable("工具书（仅限馆内阅览）", ItemType.REFERENCE, "辞典、百科全书、年鉴仅供馆内阅览。"),
    _not_loanable("古籍（不外借）", ItemType.RARE, "古籍凭证在古籍阅览室阅览。"),
    _not_loanable("地方文献（不外借）", ItemType.LOCAL, "地方文献仅供馆内阅览，可复制。"),
]

# The categories with terms of their own, and the item types a library overlay re-states for each of them.
OVERLAY_CATEGORIES = list(dict.fromkeys([ANY, *(terms.patron_category for terms in NETWORK_RULES)]))
OVERLAY_TYPES = [ItemType.BOOK, ItemType.CHILDREN]


@dataclass(frozen=True)
class Overlay:
    """How one library changes the network's terms of its loanable books."""

    code: str
    label: str
    changes: dict[str, Any]
    loan_days_added: int = 0


OVERLAYS = [
    Overlay(
        code="LN-SY",
        label="沈阳市浮动馆藏：在沈阳市范围内任一馆归还即留在归还馆",
        changes={"return_policy": ReturnPolicy.FLOATING, "float_level": Level.CITY},
    ),
    Overlay(
        code="LN-DL-ZH",
        label="庄河农村读者：借期延长15天，宽限3天，滞纳金上限10元",
        changes={"grace_days": 3, "fine_cap": Decimal("10.00")},
        loan_days_added=15,
    ),
]


def network_terms(*, patron_category: str, item_type: str) -> Terms:
    """Return the network row that applies to a reader category and item type, by the real rule choice."""
    chosen: Terms = rules.choose_rule(
        NETWORK_RULES, library_path="/", patron_category=patron_category, item_type=item_type
    ).rule
    return chosen


def overlay_terms(overlay: Overlay) -> list[Terms]:
    """Return the library's rows: the network's terms for each category and loanable type, changed."""
    rows = []
    for item_type in OVERLAY_TYPES:
        for category in OVERLAY_CATEGORIES:
            # "-" names no category, so only the rows for any reader match it.
            base = network_terms(patron_category=category or "-", item_type=item_type)
            if base.patron_category != category:
                continue  # the library's row for any reader already gives this category the same terms
            changes = dict(overlay.changes)
            if overlay.loan_days_added:
                changes["loan_days"] = base.loan_days + overlay.loan_days_added
            if base.fine_cap is None or base.fine_per_day == 0:
                changes.pop("fine_cap", None)  # a row that charges nothing keeps charging nothing
            name = f"{overlay.label}（{base.name}）"
            rows.append(replace(base, name=name[:100], patron_category=category, item_type=item_type, **changes))
    return rows


@transaction.atomic
def load_rules(libraries: dict[str, Library]) -> dict[str, int]:
    """Create the demo rules that are missing (a rule staff changed is left as it is); return the counts."""
    wanted: list[tuple[Library | None, Terms]] = [(None, terms) for terms in NETWORK_RULES]
    for overlay in OVERLAYS:
        wanted += [(libraries[overlay.code], terms) for terms in overlay_terms(overlay)]
    created = 0
    for library, terms in wanted:
        values = {
            key: getattr(terms, key)
            for key in (
                "name",
                "loanable",
                "loan_days",
                "max_loans",
                "renewals",
                "holds_allowed",
                "hold_shelf_days",
                "fine_per_day",
                "fine_cap",
                "grace_days",
                "return_policy",
                "float_level",
                "notes",
            )
        }
        rule, made = CirculationRule.objects.get_or_create(
            library=library, patron_category=terms.patron_category, item_type=terms.item_type, defaults=values
        )
        if made:
            created += 1
            events.record("circulation.rule_saved", target=rule, data={"changed": [], "source": "demo"})
    return {"rules": CirculationRule.objects.count(), "rules_created": created}
