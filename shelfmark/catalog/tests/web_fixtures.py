"""Staff of every kind and small MARC-in-JSON records, for the API, page and browser tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.libraries.tests.factories import Network

PASSWORD = "pw-123456"


@dataclass
class Staff:
    viewer: Any
    cataloguer: Any  # catalogues at the county (LN-SY-KP) and below
    root_cataloguer: Any  # catalogues at the province: the whole network
    superuser: Any


def make_staff(net: Network) -> Staff:
    """Create one login per permission boundary of the matrix."""
    return Staff(
        viewer=accounts.create_staff(username="viewer", password=PASSWORD, library=net.province, roles=[Role.VIEWER]),
        cataloguer=accounts.create_staff(username="kp", password=PASSWORD, library=net.county, roles=[Role.CATALOGUER]),
        root_cataloguer=accounts.create_staff(
            username="ln", password=PASSWORD, library=net.province, roles=[Role.CATALOGUER]
        ),
        superuser=accounts.create_staff(
            username="root", password=PASSWORD, library=net.province, roles=[], is_superuser=True
        ),
    )


def marc_json(
    title: str = "辽宁地方志研究",
    *,
    romanized: str = "",
    isbn: str = "9787205012342",
    control_number: str = "sm-0001",
    author: str = "张三",
    year: int = 2019,
) -> dict[str, Any]:
    """Return a MARC21 book record as MARC-in-JSON; with `romanized`, 245 is pinyin and 880 holds the script."""
    fields: list[dict[str, Any]] = [
        {"001": control_number},
        {"008": f"190101s{year}    cc            000 0 chi d"},
        {"020": {"ind1": " ", "ind2": " ", "subfields": [{"a": isbn}]}},
        {"100": {"ind1": "1", "ind2": " ", "subfields": [{"a": author}]}},
    ]
    if romanized:
        fields += [
            {"245": {"ind1": "1", "ind2": "0", "subfields": [{"6": "880-01"}, {"a": romanized}]}},
            {"880": {"ind1": "1", "ind2": "0", "subfields": [{"6": "245-01/$1"}, {"a": title}]}},
        ]
    else:
        fields.append({"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": title}, {"c": author}]}})
    fields.append(
        {"260": {"ind1": " ", "ind2": " ", "subfields": [{"a": "沈阳"}, {"b": "辽宁人民出版社"}, {"c": str(year)}]}}
    )
    return {"leader": "00000nam a2200000 a 4500", "fields": sorted(fields, key=lambda f: next(iter(f)))}
