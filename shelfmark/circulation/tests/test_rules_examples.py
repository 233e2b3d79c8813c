"""Worked examples of the pure policy functions: the reasons the desk shows, fines, return routes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from shelfmark.circulation import rules
from shelfmark.core.errors import InvalidInput


@dataclass
class Rule:
    library_path: str
    patron_category: str
    item_type: str
    library_name: str = ""


NETWORK_ANY = Rule("", "", "")
NETWORK_RARE = Rule("", "", "rare")
CITY_ANY = Rule("/1/2/", "", "", "沈阳市图书馆")
CITY_CHILD = Rule("/1/2/", "child", "", "沈阳市图书馆")
CITY_CHILD_BOOK = Rule("/1/2/", "child", "book", "沈阳市图书馆")
CITY_BOOK = Rule("/1/2/", "", "book", "沈阳市图书馆")
LABELS = {"child": "少儿", "book": "图书", "rare": "古籍"}


def choose(rule_set, *, path="/1/2/3/", category="child", item_type="book"):
    with translation.override("zh-hans"):
        return rules.choose_rule(
            rule_set, library_path=path, patron_category=category, item_type=item_type, labels=LABELS
        )


def test_a_nearer_library_wins_and_the_reason_names_both_libraries():
    decision = choose([NETWORK_RARE, NETWORK_ANY, CITY_ANY], item_type="rare")

    assert decision.rule is CITY_ANY
    assert decision.candidates == (CITY_ANY, NETWORK_RARE, NETWORK_ANY)
    assert decision.reason == (
        "采用沈阳市图书馆为所有读者借阅所有文献定的规则。共有 3 条规则适用，"
        "它由沈阳市图书馆制定，比全网的规则离本馆更近，近的优先。"
    )


def test_at_one_library_the_item_type_counts_before_the_reader_category():
    decision = choose([CITY_CHILD, CITY_BOOK, NETWORK_ANY])

    assert decision.rule is CITY_BOOK
    assert decision.reason.endswith("同一馆的规则中，指定文献类型的优先于适用所有文献的。")


def test_with_the_same_item_type_scope_the_reader_category_decides():
    decision = choose([CITY_BOOK, CITY_CHILD_BOOK])

    assert decision.rule is CITY_CHILD_BOOK
    assert decision.reason.startswith("采用沈阳市图书馆为少儿借阅图书定的规则。")
    assert decision.reason.endswith("指定读者类型的优先于适用所有读者的。")


def test_a_single_matching_rule_says_so_and_rules_elsewhere_are_not_candidates():
    decision = choose([NETWORK_ANY, Rule("/1/5/", "", "", "法库县图书馆")], path="/1/2/3/")

    assert decision.rule is NETWORK_ANY
    assert decision.candidates == (NETWORK_ANY,)
    assert decision.considered == 2
    assert decision.reason == "采用全网为所有读者借阅所有文献定的规则。只有这一条规则适用。"


def test_no_matching_rule_is_a_typed_refusal_naming_reader_and_item():
    with pytest.raises(rules.NoRuleApplies) as refused:
        choose([CITY_CHILD], category="adult", item_type="rare")

    assert refused.value.code == "no_rule_applies"
    assert "adult" in refused.value.message and "rare" in refused.value.message


def test_two_rules_with_the_same_place_reader_and_item_are_refused_not_picked():
    with pytest.raises(rules.ConflictingRules):
        choose([CITY_BOOK, Rule("/1/2/", "", "book", "沈阳市图书馆")])


def test_a_loan_started_late_in_the_evening_counts_from_the_local_day():
    # 2027-01-01 16:30 UTC is 2027-01-02 00:30 in Shanghai
    start = datetime(2027, 1, 1, 16, 30, tzinfo=UTC)

    assert rules.due_date(start=start, loan_days=30, is_open=lambda day: True) == date(2027, 2, 1)


def test_a_negative_loan_period_is_refused():
    with pytest.raises(InvalidInput) as refused:
        rules.due_date(start=date(2027, 1, 1), loan_days=-1, is_open=lambda day: True)

    assert refused.value.field == "loan_days"


def test_grace_forgives_a_short_delay_but_not_a_longer_one():
    due = date(2027, 3, 1)

    def fine(returned: date) -> Decimal:
        return rules.fine_for(
            due=due, returned=returned, fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"), grace_days=3
        )

    assert fine(date(2027, 3, 4)) == Decimal("0.00")
    assert fine(date(2027, 3, 5)) == Decimal("0.40")
    assert fine(date(2028, 3, 5)) == Decimal("5.00")
    assert fine(date(2027, 2, 20)) == Decimal("0.00")


def test_closed_days_are_not_charged_and_no_cap_means_no_cap():
    closed = {date(2027, 3, 2), date(2027, 3, 3)}

    fine = rules.fine_for(
        due=date(2027, 3, 1),
        returned=date(2027, 3, 11),
        fine_per_day=Decimal("0.50"),
        fine_cap=None,
        grace_days=0,
        is_open=lambda day: day not in closed,
    )

    assert fine == Decimal("4.00")


def test_a_fractional_rate_is_rounded_down_to_the_fen():
    fine = rules.fine_for(
        due=date(2027, 3, 1), returned=date(2027, 3, 4), fine_per_day=Decimal("0.125"), fine_cap=None, grace_days=0
    )

    assert fine == Decimal("0.37")


def test_negative_fine_terms_are_refused():
    with pytest.raises(InvalidInput):
        rules.fine_for(
            due=date(2027, 3, 1), returned=date(2027, 3, 4), fine_per_day=Decimal("-1"), fine_cap=None, grace_days=0
        )


@pytest.mark.parametrize(
    ("policy", "returned", "group", "stays"),
    [
        (rules.RETURN_HOME, "/1/2/3/4/", "", True),  # back at home
        (rules.RETURN_HOME, "/1/2/5/", "", False),
        (rules.RETURN_FLOATING, "/1/6/", "", True),  # floats anywhere
        (rules.RETURN_FLOATING, "/1/2/5/", "/1/2/", True),  # same city
        (rules.RETURN_FLOATING, "/1/6/", "/1/2/", False),  # outside the city
        (rules.RETURN_FLOATING, "/1/2/5/", None, False),  # home has no ancestor at the float level
    ],
)
def test_return_route_follows_the_policy_and_the_float_group(policy, returned, group, stays):
    route = rules.return_route(
        return_policy=policy, home_path="/1/2/3/4/", returned_path=returned, float_group_path=group
    )

    assert route.stays is stays
    assert route.reason
