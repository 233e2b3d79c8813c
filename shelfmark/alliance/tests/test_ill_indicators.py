"""ILL indicators read the interlibrary-loan requests made through ILL's own services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps

from shelfmark.alliance import indicators, scorecard

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("shelfmark.ill"), reason="interlibrary loan is not installed"),
]


def _values(code: str, year: int = 2025) -> dict[str, object]:
    members = scorecard.members_at("county")
    result = indicators.REGISTRY[code](indicators.make_scope(year, members))
    return {member.code: result.values[member.pk] for member in members}


def test_filled_fill_rate_and_median_turnaround_of_the_lender(settings):
    from shelfmark.ill import services
    from shelfmark.ill.tests.factories import DUE, at, make_alliance

    settings.TIME_ZONE = "Asia/Shanghai"
    a = make_alliance()

    def requested(day: str):
        request = services.request_item(
            requesting_library=a.borrower, patron=a.reader, record=a.record, actor=a.borrower_clerk, now=at(day)
        )
        return services.send_request(request=request, lender_library=a.lender, actor=a.borrower_clerk, now=at(day, 11))

    # given one request 法库 fills (requested 03-01 10:00, received 03-05 10:00) and one it refuses
    filled = requested("2025-03-01")
    services.accept(request=filled, actor=a.lender_clerk, now=at("2025-03-02"))
    services.ship(request=filled, due_on=DUE, actor=a.lender_clerk, now=at("2025-03-02", 15))
    services.receive(request=filled, actor=a.borrower_clerk, now=at("2025-03-05"))
    refused = requested("2025-03-10")
    services.refuse(request=refused, actor=a.lender_clerk, now=at("2025-03-11"))
    # then 法库 filled one of two, in four days; 康平 lent nothing
    assert _values("ill_requests_filled") == {"LN-SY-FK": 1, "LN-SY-KP": 0}
    assert _values("ill_fill_rate") == {"LN-SY-FK": Decimal("50.00"), "LN-SY-KP": None}
    assert _values("ill_median_turnaround") == {"LN-SY-FK": Decimal("4.0"), "LN-SY-KP": None}
    assert _values("ill_requests_filled", 2024) == {"LN-SY-FK": 0, "LN-SY-KP": 0}
