"""Properties of the pure policy functions: the most specific rule wins, due dates land on open days, fines stay capped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelfmark.circulation import rules


@dataclass
class Rule:
    library_path: str
    patron_category: str
    item_type: str
    library_name: str = ""


# A small tree: province 1 → city 2 → county 3 → township 4, county 5 under the city, study room 6 under the province.
PATHS = ["/1/", "/1/2/", "/1/2/3/", "/1/2/3/4/", "/1/2/5/", "/1/6/"]
CATEGORIES = ["", "adult", "child"]
TYPES = ["", "book", "rare"]

GRID = [(path, category, item_type) for path in ["", *PATHS] for category in CATEGORIES for item_type in TYPES]
# Each cell of the grid in or out: dense rule sets, so that several rules match at one library.
rule_keys = st.lists(st.booleans(), min_size=len(GRID), max_size=len(GRID)).map(
    lambda mask: [key for key, chosen in zip(GRID, mask, strict=True) if chosen]
)
loans = st.tuples(
    st.sampled_from(PATHS), st.sampled_from(["adult", "child", "senior"]), st.sampled_from(["book", "rare", "audio"])
)


def depth(rule: Rule) -> int:
    return rule.library_path.count("/") - 1 if rule.library_path else 0


def covers(rule: Rule, path: str, category: str, item_type: str) -> bool:
    return (
        path.startswith(rule.library_path)
        and rule.patron_category in ("", category)
        and rule.item_type in ("", item_type)
    )


@given(keys=rule_keys, loan=loans, order=st.randoms(use_true_random=False))
def test_the_chosen_rule_is_the_most_specific_matching_one(keys, loan, order):
    # given a random rule set over the tree (unique per library, category and type, as the database keeps it)
    given_rules = [Rule(path, category, item_type) for path, category, item_type in keys]
    order.shuffle(given_rules)
    path, category, item_type = loan
    matching = [r for r in given_rules if covers(r, path, category, item_type)]

    if not matching:
        with pytest.raises(rules.NoRuleApplies):
            rules.choose_rule(given_rules, library_path=path, patron_category=category, item_type=item_type)
        return

    # when
    decision = rules.choose_rule(given_rules, library_path=path, patron_category=category, item_type=item_type)

    # then it matches, and no matching rule is nearer or, at its library, more specific
    chosen = decision.rule
    assert covers(chosen, path, category, item_type)
    assert all(depth(r) <= depth(chosen) for r in matching)
    same_library = [r for r in matching if r.library_path == chosen.library_path]
    assert all(chosen.item_type or not r.item_type for r in same_library)
    assert all(
        chosen.patron_category or not r.patron_category
        for r in same_library
        if bool(r.item_type) == bool(chosen.item_type)
    )
    assert sorted(map(id, decision.candidates)) == sorted(map(id, matching))
    assert decision.candidates[0] is chosen
    assert decision.considered == len(given_rules)


@given(keys=rule_keys, loan=loans, order=st.randoms(use_true_random=False))
def test_the_choice_does_not_depend_on_the_order_rules_are_given_in(keys, loan, order):
    given_rules = [Rule(path, category, item_type) for path, category, item_type in keys]
    path, category, item_type = loan
    shuffled = list(given_rules)
    order.shuffle(shuffled)

    try:
        first = rules.choose_rule(given_rules, library_path=path, patron_category=category, item_type=item_type)
    except rules.NoRuleApplies:
        with pytest.raises(rules.NoRuleApplies):
            rules.choose_rule(shuffled, library_path=path, patron_category=category, item_type=item_type)
        return
    second = rules.choose_rule(shuffled, library_path=path, patron_category=category, item_type=item_type)

    assert second.rule is first.rule
    assert second.reason == first.reason


START = date(2027, 1, 1)
closed_days = st.sets(st.integers(min_value=0, max_value=120).map(lambda n: START + timedelta(days=n)), max_size=60)
weekday_sets = st.sets(st.integers(min_value=0, max_value=6), min_size=1)


@given(
    start_offset=st.integers(min_value=0, max_value=60),
    loan_days=st.integers(min_value=0, max_value=60),
    closed=closed_days,
    weekdays=weekday_sets,
)
def test_due_dates_never_fall_on_a_closed_day_and_are_the_first_open_day_from_the_loan_period(
    start_offset, loan_days, closed, weekdays
):
    start = START + timedelta(days=start_offset)

    def is_open(day: date) -> bool:
        return day not in closed and day.weekday() in weekdays

    due = rules.due_date(start=start, loan_days=loan_days, is_open=is_open)

    earliest = start + timedelta(days=loan_days)
    assert is_open(due)
    assert due >= earliest
    assert not any(is_open(earliest + timedelta(days=n)) for n in range((due - earliest).days))


def test_a_library_that_never_opens_has_no_due_date():
    with pytest.raises(rules.NoOpenDay) as refused:
        rules.due_date(start=date(2027, 1, 1), loan_days=30, is_open=lambda day: False, max_search_days=10)

    assert refused.value.code == "no_open_day"
    assert "2027-01-31" in refused.value.message


money = st.decimals(min_value=0, max_value=5, places=2)


@given(
    fine_per_day=money,
    fine_cap=st.none() | st.decimals(min_value=0, max_value=200, places=2),
    grace_days=st.integers(min_value=0, max_value=10),
    late=st.integers(min_value=0, max_value=400),
    closed=closed_days,
)
def test_fines_stay_within_the_cap_and_are_nothing_within_grace(fine_per_day, fine_cap, grace_days, late, closed):
    due = START

    def is_open(day: date) -> bool:
        return day not in closed

    fine = rules.fine_for(
        due=due,
        returned=due + timedelta(days=late),
        fine_per_day=fine_per_day,
        fine_cap=fine_cap,
        grace_days=grace_days,
        is_open=is_open,
    )
    one_day_later = rules.fine_for(
        due=due,
        returned=due + timedelta(days=late + 1),
        fine_per_day=fine_per_day,
        fine_cap=fine_cap,
        grace_days=grace_days,
        is_open=is_open,
    )

    charged_days = sum(1 for n in range(1, late + 1) if is_open(due + timedelta(days=n)))
    assert fine >= 0
    assert fine == fine.quantize(Decimal("0.01"))
    assert fine_cap is None or fine <= fine_cap
    assert one_day_later >= fine
    if charged_days <= grace_days:
        assert fine == 0
    elif fine_cap is None:
        assert fine == fine_per_day * charged_days
