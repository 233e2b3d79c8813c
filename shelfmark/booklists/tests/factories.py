"""Records with a CLC class and the staff of the book-list permission matrix, for the tests of any app."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import Record
from shelfmark.catalog.tests.web_fixtures import PASSWORD, marc_json
from shelfmark.libraries.tests.factories import Network

_numbers = itertools.count(1)


def make_classed_record(title: str, clc: str = "I247.5", *, author: str = "张三", year: int = 2024) -> Record:
    """Catalogue a MARC21 book with a CLC class number (084 $a ... $2 clc) through the catalogue's service."""
    number = next(_numbers)
    marc = marc_json(title, control_number=f"bl-{number:05d}", author=author, year=year)
    if clc:
        marc["fields"].append({"084": {"ind1": " ", "ind2": " ", "subfields": [{"a": clc}, {"2": "clc"}]}})
        marc["fields"].sort(key=lambda field: next(iter(field)))
    return catalog.create_record(marc=marc, marc_format="marc21", actor=None)


@dataclass
class ListStaff:
    county_cataloguer: Any  # 编目员 at 康平县 and below
    county_desk: Any  # 流通馆员 at 康平县 and below
    city_admin: Any  # 系统管理员 at 沈阳市 and below
    viewer: Any  # 只读 at the province: may compose nothing
    superuser: Any


def make_list_staff(net: Network) -> ListStaff:
    def login(username: str, library: Any, roles: list[str], **extra: Any) -> Any:
        return accounts.create_staff(username=username, password=PASSWORD, library=library, roles=roles, **extra)

    return ListStaff(
        county_cataloguer=login("kp-cat", net.county, [Role.CATALOGUER]),
        county_desk=login("kp-desk", net.county, [Role.CIRCULATION]),
        city_admin=login("sy-admin", net.city, [Role.ADMIN]),
        viewer=login("viewer", net.province, [Role.VIEWER]),
        superuser=login("root", net.province, [], is_superuser=True),
    )
