"""Lenders suggested for a request: on the shelf first, then nearer in the network tree, then less busy."""

from __future__ import annotations

import pytest

from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.tests.factories import make_item
from shelfmark.ill import selectors, services
from shelfmark.ill.tests.factories import Alliance, at
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Level

pytestmark = pytest.mark.django_db


def test_lenders_come_on_shelf_first_then_nearest_then_least_busy(alliance: Alliance) -> None:
    a = alliance
    net = a.net
    # given copies of the title at: the province (on the shelf, far), 法库 (on the shelf, same city), the county
    # 康平 above the borrowing township (out on loan: nearest of all but not on the shelf), and a second township of
    # 康平 that already lends two other titles
    busy = libraries.create_library(code="LN-SY-KP-02", name="康平二号分馆", level=Level.TOWNSHIP, parent=net.county)
    make_item(a.record, library=net.province)
    make_item(a.record, library=net.county, status=ItemStatus.ON_LOAN)
    make_item(a.record, library=busy)
    for title in ("其他书一", "其他书二"):
        other = services.request_item(requesting_library=net.city, title=title, actor=None, now=at("2025-03-01"))
        services.send_request(request=other, lender_library=busy, actor=None, now=at("2025-03-01"))
    quiet = libraries.create_library(code="LN-SY-KP-03", name="康平三号分馆", level=Level.TOWNSHIP, parent=net.county)
    make_item(a.record, library=quiet)
    request = services.request_item(
        requesting_library=a.borrower, patron=a.reader, record=a.record, actor=None, now=at("2025-03-01")
    )
    # when suggestions are asked
    lenders = selectors.suggest_lenders(request=request)
    # then
    assert [(lender.library.code, lender.available, lender.depth, lender.load) for lender in lenders] == [
        ("LN-SY-KP-03", 1, 3, 0),
        ("LN-SY-KP-02", 1, 3, 2),
        ("LN-SY-FK", 1, 2, 0),
        ("LN", 1, 1, 0),
        ("LN-SY-KP", 0, 3, 0),
    ]


def test_the_borrowing_library_never_suggests_itself_and_a_citation_has_no_catalogue_lenders(
    alliance: Alliance,
) -> None:
    a = alliance
    make_item(a.record, library=a.borrower, status=ItemStatus.ON_LOAN)
    request = services.request_item(requesting_library=a.borrower, record=a.record, actor=None, now=at("2025-03-01"))
    assert [lender.library.code for lender in selectors.suggest_lenders(request=request)] == ["LN-SY-FK"]
    citation = services.request_item(
        requesting_library=a.borrower, title="无书目的书", actor=None, now=at("2025-03-01")
    )
    assert selectors.suggest_lenders(request=citation) == []
