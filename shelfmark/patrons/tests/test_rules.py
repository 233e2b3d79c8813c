"""Pure reader policy: credit standing properties, computed blocks, PIN attempt counting."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelfmark.patrons import rules

counts = st.integers(min_value=0, max_value=5000)
owed = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


def _score(on_time: int = 0, late: int = 0, lost: int = 0, fines: Decimal = Decimal("0")) -> rules.Standing:
    return rules.credit_standing(on_time_returns=on_time, late_returns=late, lost_items=lost, fines_owed=fines)


@given(counts, counts, counts, owed, st.integers(min_value=1, max_value=50))
def test_more_on_time_returns_never_lower_the_score(on_time, late, lost, fines, more):
    assert _score(on_time + more, late, lost, fines).score >= _score(on_time, late, lost, fines).score


@given(counts, counts, counts, owed, st.integers(min_value=1, max_value=50))
def test_more_late_returns_never_raise_the_score(on_time, late, lost, fines, more):
    assert _score(on_time, late + more, lost, fines).score <= _score(on_time, late, lost, fines).score


@given(counts, counts, counts, owed, st.integers(min_value=1, max_value=50))
def test_more_lost_items_never_raise_the_score(on_time, late, lost, fines, more):
    assert _score(on_time, late, lost + more, fines).score <= _score(on_time, late, lost, fines).score


@given(counts, counts, counts, owed, owed)
def test_more_fines_owed_never_raise_the_score(on_time, late, lost, fines, more):
    assert _score(on_time, late, lost, fines + more).score <= _score(on_time, late, lost, fines).score


@given(counts, counts, counts, owed)
def test_score_is_bounded_and_the_tier_follows_it(on_time, late, lost, fines):
    standing = _score(on_time, late, lost, fines)

    assert 0 <= standing.score <= 1000
    expected = next(t for t in rules.TIERS if standing.score >= t[1])
    assert (standing.tier, standing.deposit_free, standing.loan_limit_factor) == expected[0:1] + expected[2:]
    assert standing.score == max(0, min(1000, sum(r.points for r in standing.reasons)))


@given(counts, counts, counts, owed, counts, counts, counts, owed)
def test_a_better_score_never_gives_fewer_privileges(a1, a2, a3, a4, b1, b2, b3, b4):
    first, second = _score(a1, a2, a3, a4), _score(b1, b2, b3, b4)
    low, high = sorted([first, second], key=lambda s: s.score)

    assert high.deposit_free >= low.deposit_free
    assert high.loan_limit(10) >= low.loan_limit(10)


@pytest.mark.parametrize(
    ("history", "score", "tier", "deposit_free"),
    [
        ({}, 650, "fair", True),  # a new reader borrows without a deposit
        ({"on_time": 4}, 708, "good", True),  # 350*4//24 = 58
        ({"on_time": 30}, 860, "excellent", True),  # 350*30//50 = 210
        ({"on_time": 30, "late": 10}, 772, "good", True),  # 860 - 400*10//45 (88)
        ({"lost": 1}, 530, "poor", False),
        ({"fines": Decimal("50.00")}, 450, "poor", False),
        ({"fines": Decimal("0.01")}, 646, "fair", True),  # a started yuan counts
        ({"lost": 9, "late": 50, "fines": Decimal("999")}, 0, "poor", False),  # clamped at 0
    ],
)
def test_worked_examples_from_the_module_docstring(history, score, tier, deposit_free):
    standing = _score(
        history.get("on_time", 0), history.get("late", 0), history.get("lost", 0), history.get("fines", Decimal(0))
    )

    assert (standing.score, standing.tier, standing.deposit_free) == (score, tier, deposit_free)


def test_reasons_name_each_term_that_moved_the_score():
    standing = _score(on_time=20, late=5, lost=1, fines=Decimal("2.50"))

    assert [(r.code, r.points) for r in standing.reasons] == [
        ("base", 650),
        ("on_time_returns", 175),
        ("late_returns", -66),
        ("lost_items", -120),
        ("fines_owed", -12),
    ]
    assert standing.score == 627


@pytest.mark.parametrize(
    ("tier_history", "base", "limit"),
    [({"on_time": 30}, 10, 15), ({"on_time": 4}, 10, 12), ({}, 10, 10), ({"lost": 1}, 10, 5), ({"lost": 1}, 1, 1)],
)
def test_loan_limit_scales_the_rule_limit_by_tier(tier_history, base, limit):
    standing = _score(tier_history.get("on_time", 0), 0, tier_history.get("lost", 0))

    assert standing.loan_limit(base) == limit
    assert standing.loan_limit(0) == 0


def test_negative_history_is_a_programming_error():
    with pytest.raises(ValueError):
        _score(on_time=-1)


def test_computed_blocks_expired_and_fines_over_limit():
    today = date(2025, 3, 10)

    none = rules.computed_blocks(
        expires_on=today, today=today, fines_owed=Decimal("50.00"), fines_limit=Decimal("50.00")
    )
    both = rules.computed_blocks(
        expires_on=today - timedelta(days=1), today=today, fines_owed=Decimal("50.01"), fines_limit=Decimal("50.00")
    )

    assert none == []  # the expiry day itself and exactly the limit still lend
    assert [b.kind for b in both] == ["expired", "fines_over_limit"]
    assert "2025-03-09" in both[0].reason and "50.01" in both[1].reason


def test_pin_attempts_lock_on_the_fifth_wrong_try_and_start_afresh():
    now = datetime(2025, 3, 10, 9, 0)
    failed = 0
    outcomes = []
    for _ in range(5):
        attempt = rules.pin_attempt(failed_before=failed, correct=False, now=now)
        failed = attempt.failed_attempts
        outcomes.append((attempt.tries_left, attempt.locked_until))

    assert outcomes[:4] == [(4, None), (3, None), (2, None), (1, None)]
    assert outcomes[4] == (5, now + timedelta(minutes=15))
    assert rules.pin_attempt(failed_before=3, correct=True, now=now) == rules.PinAttempt(True, 0, None)
    assert rules.is_pin_locked(now + timedelta(minutes=15), now + timedelta(minutes=14, seconds=59))
    assert not rules.is_pin_locked(now + timedelta(minutes=15), now + timedelta(minutes=15))
