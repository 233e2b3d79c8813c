"""Pure reader policy: credit standing from the reader's own history, computed blocks, and PIN lockout.

Credit standing (信用借阅). The score is an integer from 0 to 1000, computed in integer arithmetic so
the same history always gives the same score:

    score = 650                                   every reader starts here
          + 350 * on_time // (on_time + 20)       on-time returns: +175 at 20, +291 at 100, never past +350
          - 400 * late // (on_time + late + 5)    the share of late returns, so on-time returns dilute it
          - min(120 * lost, 480)                  lost items
          - min(4 * ceil(fines_owed yuan), 300)   unpaid fines, per started yuan
    clamped to 0..1000.

Every term moves one way only: another on-time return never lowers the score; another late return,
lost item or yuan owed never raises it. The tier follows the score, and the tier decides
deposit-free borrowing and the factor applied to the loan limit of the circulation rule:

    excellent ≥ 850: deposit-free, loan limit × 1.5
    good      ≥ 700: deposit-free, loan limit × 1.2
    fair      ≥ 550: deposit-free, loan limit × 1.0   (a new reader, 650, is here)
    poor      <  550: deposit required, loan limit × 0.5 (at least one loan)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BASE_SCORE = 650
MAX_SCORE = 1000
ON_TIME_POINTS, ON_TIME_HALF = 350, 20
LATE_POINTS, LATE_SMOOTHING = 400, 5
LOST_POINTS, LOST_CAP = 120, 480
FINE_POINTS_PER_YUAN, FINE_CAP = 4, 300

EXCELLENT, GOOD, FAIR, POOR = "excellent", "good", "fair", "poor"
TIER_LABELS: dict[str, Any] = {
    EXCELLENT: gettext_lazy("信用极好"),
    GOOD: gettext_lazy("信用良好"),
    FAIR: gettext_lazy("信用一般"),
    POOR: gettext_lazy("信用较差"),
}
# (tier, lowest score, deposit-free, loan limit factor), best first.
TIERS: tuple[tuple[str, int, bool, Decimal], ...] = (
    (EXCELLENT, 850, True, Decimal("1.5")),
    (GOOD, 700, True, Decimal("1.2")),
    (FAIR, 550, True, Decimal("1.0")),
    (POOR, 0, False, Decimal("0.5")),
)


@dataclass(frozen=True)
class Reason:
    """One term of the score, so the desk can say why a reader stands where they do."""

    code: str
    points: int
    message: str


@dataclass(frozen=True)
class Standing:
    score: int
    tier: str
    deposit_free: bool
    loan_limit_factor: Decimal
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def tier_label(self) -> str:
        return str(TIER_LABELS[self.tier])

    def loan_limit(self, base_max_loans: int) -> int:
        """Return the rule's max loans scaled by the tier, rounded down, and never below one loan."""
        if base_max_loans <= 0:
            return 0
        scaled = (Decimal(base_max_loans) * self.loan_limit_factor).to_integral_value(rounding=ROUND_FLOOR)
        return max(1, int(scaled))


def credit_standing(*, on_time_returns: int, late_returns: int, lost_items: int, fines_owed: Decimal) -> Standing:
    """Score a reader's own history (see the module docstring) and derive tier, deposit-free and loan factor."""
    if min(on_time_returns, late_returns, lost_items) < 0 or fines_owed < 0:
        raise ValueError("History counters and fines owed cannot be negative.")
    owed_yuan = int(fines_owed.to_integral_value(rounding=ROUND_CEILING))
    terms = [
        Reason("base", BASE_SCORE, _("Starting score")),
        Reason(
            "on_time_returns",
            ON_TIME_POINTS * on_time_returns // (on_time_returns + ON_TIME_HALF),
            _("{count} on-time returns").format(count=on_time_returns),
        ),
        Reason(
            "late_returns",
            -(LATE_POINTS * late_returns // (on_time_returns + late_returns + LATE_SMOOTHING)),
            _("{count} late returns").format(count=late_returns),
        ),
        Reason(
            "lost_items", -min(LOST_POINTS * lost_items, LOST_CAP), _("{count} items lost").format(count=lost_items)
        ),
        Reason(
            "fines_owed",
            -min(FINE_POINTS_PER_YUAN * owed_yuan, FINE_CAP),
            _("{amount} yuan owed").format(amount=fines_owed),
        ),
    ]
    score = max(0, min(MAX_SCORE, sum(term.points for term in terms)))
    tier, _low, deposit_free, factor = next(t for t in TIERS if score >= t[1])
    shown = tuple(term for term in terms if term.points != 0)
    return Standing(score=score, tier=tier, deposit_free=deposit_free, loan_limit_factor=factor, reasons=shown)


# Block kinds: expired and fines_over_limit are computed here, manual and lost_card are stored (PatronBlock),
# overdue is added by circulation, which knows the loans.
EXPIRED, FINES_OVER_LIMIT, OVERDUE, LOST_CARD, MANUAL = "expired", "fines_over_limit", "overdue", "lost_card", "manual"
BLOCK_KINDS = (EXPIRED, FINES_OVER_LIMIT, OVERDUE, LOST_CARD, MANUAL)


@dataclass(frozen=True)
class Block:
    """A reason the reader may not borrow now; `block_id` names the stored block staff can lift."""

    kind: str
    reason: str
    block_id: int | None = None


def computed_blocks(*, expires_on: date, today: date, fines_owed: Decimal, fines_limit: Decimal) -> list[Block]:
    """Return the blocks that follow from the card's expiry and the fines owed (limit itself still lends)."""
    found = []
    if expires_on < today:
        found.append(Block(EXPIRED, _("The card expired on {date}.").format(date=expires_on.isoformat())))
    if fines_owed > fines_limit:
        found.append(
            Block(
                FINES_OVER_LIMIT,
                _("{owed} yuan owed, over the limit of {limit} yuan.").format(owed=fines_owed, limit=fines_limit),
            )
        )
    return found


PIN_MAX_FAILURES = 5
PIN_LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class PinAttempt:
    """What one PIN attempt leaves behind: the failure count and the lock, if it set one."""

    accepted: bool
    failed_attempts: int
    locked_until: datetime | None

    @property
    def tries_left(self) -> int:
        return PIN_MAX_FAILURES - self.failed_attempts


def pin_attempt(*, failed_before: int, correct: bool, now: datetime) -> PinAttempt:
    """Count a PIN attempt: a right PIN clears the count, the fifth wrong one in a row locks for 15 minutes."""
    if correct:
        return PinAttempt(accepted=True, failed_attempts=0, locked_until=None)
    failed = failed_before + 1
    if failed >= PIN_MAX_FAILURES:
        # The count starts afresh once the lock has run out: five more tries, then another lock.
        return PinAttempt(accepted=False, failed_attempts=0, locked_until=now + PIN_LOCK)
    return PinAttempt(accepted=False, failed_attempts=failed, locked_until=None)


def is_pin_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Tell whether a PIN lock is still running at `now`."""
    return locked_until is not None and locked_until > now
