"""The policy matrix on a real database: rule lookup on the network tree, calendars, constraints and the admin."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from shelfmark.circulation import rules, selectors
from shelfmark.circulation.models import CirculationRule, ReturnPolicy
from shelfmark.core.models import AuditEvent
from shelfmark.libraries import selectors as library_selectors
from shelfmark.libraries import services as library_services
from shelfmark.libraries.models import Level
from shelfmark.libraries.tests.factories import Network, make_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def net() -> Network:
    return make_network()


def make_rule(library=None, patron_category="", item_type="", **terms) -> CirculationRule:
    return CirculationRule.objects.create(
        library=library, patron_category=patron_category, item_type=item_type, **terms
    )


def test_rule_for_picks_the_nearest_library_in_one_query(net, django_assert_num_queries):
    # given rules for the network, the city, the county and the neighbouring county
    make_rule(loan_days=30)
    make_rule(net.city, loan_days=28)
    county = make_rule(net.county, loan_days=21)
    make_rule(net.other_county, loan_days=14)

    # when a reader borrows a book at the township below the county
    with django_assert_num_queries(1), translation.override("zh-hans"):
        decision = selectors.rule_for(library=net.township, patron_category="adult", item_type="book")

    # then the county's rule applies, ahead of the city's and the network's; the neighbour's is not a candidate
    assert decision.rule == county
    assert [rule.loan_days for rule in decision.candidates] == [21, 28, 30]
    assert "康平县图书馆" in decision.reason and "沈阳市图书馆" in decision.reason


def test_rule_for_lets_a_type_rule_beat_a_category_rule_at_the_same_library(net):
    make_rule(loan_days=30)
    make_rule(net.city, patron_category="child", loan_days=21, max_loans=5)
    reference = make_rule(net.city, item_type="reference", loanable=False, loan_days=0)

    decision = selectors.rule_for(library=net.study_room, patron_category="child", item_type="reference")

    assert decision.rule == reference
    assert decision.rule.loanable is False


def test_rule_for_without_any_matching_rule_is_a_typed_refusal(net):
    make_rule(net.other_county, loan_days=14)

    with pytest.raises(rules.NoRuleApplies):
        selectors.rule_for(library=net.county, patron_category="adult", item_type="book")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"library": None, "patron_category": "child"}, {"library": None, "patron_category": "child"}),
        ({"patron_category": "", "item_type": "book"}, {"patron_category": "", "item_type": "book"}),
    ],
)
def test_one_rule_per_place_reader_and_item_type(net, first, second):
    first.setdefault("library", net.county)
    second.setdefault("library", net.county)
    make_rule(**first)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_rule(**second)

    assert CirculationRule.objects.count() == 1


def test_a_float_level_is_refused_on_a_rule_that_sends_items_home(net):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rule(return_policy=ReturnPolicy.HOME, float_level=Level.CITY)

    assert CirculationRule.objects.count() == 0


def test_negative_fines_are_refused_by_the_database(net):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_rule(fine_per_day=Decimal("-0.10"))

    assert CirculationRule.objects.count() == 0


def test_due_date_skips_inherited_closed_days_and_closed_weekdays_in_two_queries(net, django_assert_num_queries):
    # given the city opens Tuesday to Sunday and the province closes the whole network for the Spring Festival
    hours = {day: (time(9), time(17)) for day in range(1, 7)}
    library_services.set_opening_hours(library=net.city, hours=hours)
    for offset in range(3):
        library_services.add_closed_day(
            library=net.province, day=date(2027, 2, 6) + timedelta(days=offset), applies_to_subtree=True
        )

    # when a loan of 30 days starts on 2027-01-07 at the township (due 2027-02-06, a Saturday)
    with django_assert_num_queries(2):
        due = selectors.due_date_at(library=net.township, start=date(2027, 1, 7), loan_days=30)

    # then 6th-8th are the festival and the 8th is also a Monday: due on Tuesday the 9th
    assert due == date(2027, 2, 9)


def test_the_calendar_answers_as_the_library_selectors_do(net):
    library_services.set_opening_hours(library=net.province, hours={d: (time(9), time(17)) for d in range(5)})
    library_services.set_opening_hours(library=net.county, hours={d: (time(9), time(17)) for d in range(1, 7)})
    library_services.add_closed_day(library=net.city, day=date(2027, 5, 3), applies_to_subtree=True)
    library_services.add_closed_day(library=net.city, day=date(2027, 5, 4))
    library_services.add_closed_day(library=net.township, day=date(2027, 5, 12))
    start = date(2027, 4, 28)

    for library in (net.province, net.city, net.county, net.township, net.other_county, net.study_room):
        is_open = selectors.opening_calendar(library, start=start, days=30)
        expected = [library_selectors.is_open(library, start + timedelta(days=n)) for n in range(40)]

        assert [is_open(start + timedelta(days=n)) for n in range(40)] == expected, library.code


def test_fine_at_does_not_charge_the_days_the_library_was_closed(net):
    rule = make_rule(fine_per_day=Decimal("0.10"), fine_cap=Decimal("10.00"), grace_days=0)
    library_services.add_closed_day(library=net.county, day=date(2027, 3, 2))

    fine = selectors.fine_at(terms=rule, library=net.county, due=date(2027, 3, 1), returned=date(2027, 3, 5))

    assert fine == Decimal("0.30")


def test_floating_within_the_city_keeps_items_in_the_city_and_sends_others_home(net):
    other_city = library_services.create_library(
        code="LN-DL", name="大连市图书馆", level=Level.CITY, parent=net.province
    )
    rule = make_rule(return_policy=ReturnPolicy.FLOATING, float_level=Level.CITY)

    inside = selectors.return_route(rule=rule, home_library=net.township, returned_at=net.other_county)
    outside = selectors.return_route(rule=rule, home_library=net.township, returned_at=other_city)
    home = selectors.return_route(
        rule=make_rule(net.county, return_policy=ReturnPolicy.HOME), home_library=net.township, returned_at=net.city
    )

    assert (inside.stays, outside.stays, home.stays) == (True, False, False)


def test_admin_lists_rules_and_audits_a_new_one(net, admin_client):
    make_rule(net.county, patron_category="child", item_type="book", loan_days=21, name="少儿图书")

    listing = admin_client.get("/admin/circulation/circulationrule/")
    added = admin_client.post(
        "/admin/circulation/circulationrule/add/",
        {
            "name": "全网通用",
            "library": "",
            "patron_category": "",
            "item_type": "",
            "notes": "",
            "loanable": "on",
            "loan_days": "30",
            "max_loans": "10",
            "renewals": "1",
            "holds_allowed": "on",
            "hold_shelf_days": "7",
            "fine_per_day": "0.10",
            "fine_cap": "",
            "grace_days": "0",
            "return_policy": "floating",
            "float_level": "city",
        },
    )

    assert listing.status_code == 200
    assert "少儿图书" in listing.content.decode()
    assert added.status_code == 302
    rule = CirculationRule.objects.get(name="全网通用")
    assert (rule.library, rule.fine_cap, rule.float_level) == (None, None, "city")
    assert AuditEvent.objects.filter(kind="circulation.rule_saved", object_id=str(rule.pk)).count() == 1


def test_admin_refuses_a_float_level_on_a_home_rule_and_saves_nothing(net, admin_client):
    response = admin_client.post(
        "/admin/circulation/circulationrule/add/",
        {
            "name": "错误",
            "library": str(net.city.pk),
            "loan_days": "30",
            "max_loans": "10",
            "renewals": "1",
            "hold_shelf_days": "7",
            "fine_per_day": "0.10",
            "grace_days": "0",
            "return_policy": "home",
            "float_level": "city",
        },
    )

    assert response.status_code == 200
    assert "只有浮动馆藏才能设置浮动范围" in response.content.decode()
    assert CirculationRule.objects.count() == 0
    assert not AuditEvent.objects.filter(kind="circulation.rule_saved").exists()
