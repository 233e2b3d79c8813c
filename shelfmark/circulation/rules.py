"""Circulation policy as pure functions: which rule applies, when a loan is due, what a late return costs.

Which rule applies (``choose_rule``). A rule matches a loan when its library is the loan's library or one above it
(no library = the whole network), its reader category is the reader's or blank (any reader), and its item type is
the item's or blank (any item). Among the matching rules the most specific wins, compared in this fixed order:

1. the library nearer the loan's library wins (a township rule beats its county's, which beats the network's);
2. at the same library, a rule naming the item type beats one for any item;
3. then a rule naming the reader category beats one for any reader.

Two matching rules can tie only when they share library, category and type, which the database forbids; given such
a pair anyway, ``choose_rule`` refuses with ``ConflictingRules`` rather than pick one silently. A library's rule for
any item overrides the network's type rules there: add type rows at that library to keep them.

Dates are local calendar dates. Money is ``Decimal`` throughout, rounded down to the fen (0.01) so that a fine
never exceeds its cap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any, Generic, Protocol, TypeVar, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shelfmark.core.errors import DomainError, InvalidInput

RETURN_HOME = "home"  # transit back to the home library
RETURN_FLOATING = "floating"  # stay where returned (within the float group, when the rule names one)

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


class RuleLike(Protocol):
    """What ``choose_rule`` reads of a rule: where it applies, to which readers and which items."""

    @property
    def library_path(self) -> str:
        """Materialized path of the rule's library ("/1/4/"), "" for the whole network."""
        ...

    @property
    def library_name(self) -> str:
        """Name of the rule's library for the reason shown at the desk, "" for the whole network."""
        ...

    patron_category: str  # "" = any reader
    item_type: str  # "" = any item


# Unbounded on purpose: with the Django plugin, mypy checks a bound against a model before it has read the model's
# fields, and refuses CirculationRule; choose_rule reads its rules as RuleLike.
R = TypeVar("R")


@dataclass(frozen=True)
class Decision(Generic[R]):
    """The rule that applies, why in the desk's words, and every matching rule, best first."""

    rule: R
    reason: str
    candidates: tuple[R, ...]
    considered: int


@dataclass(frozen=True)
class ReturnRoute:
    """Where a returned item goes: stays at the returning library, or travels back to its home library."""

    stays: bool
    reason: str


class NoRuleApplies(DomainError):
    code = "no_rule_applies"
    default_message: Any = gettext_lazy(
        "没有适用于该读者类型（{patron_category}）和文献类型（{item_type}）的流通规则。"
    )
    status = 409


class ConflictingRules(DomainError):
    code = "conflicting_rules"
    default_message: Any = gettext_lazy("有多条流通规则的馆、读者类型和文献类型完全相同，无法确定采用哪一条。")
    status = 409


class NoOpenDay(DomainError):
    code = "no_open_day"
    default_message: Any = gettext_lazy("从 {first} 起 {days} 天内本馆都不开馆，无法确定应还日期。")
    status = 409


def matches(rule: RuleLike, *, library_path: str, patron_category: str, item_type: str) -> bool:
    """Tell whether a rule covers a loan at this library, for this reader category and item type."""
    return (
        library_path.startswith(rule.library_path)
        and rule.patron_category in ("", patron_category)
        and rule.item_type in ("", item_type)
    )


def specificity(rule: RuleLike) -> tuple[int, bool, bool]:
    """Rank a rule: library depth (network = 0), then names an item type, then names a reader category."""
    depth = len([part for part in rule.library_path.split("/") if part])
    return depth, bool(rule.item_type), bool(rule.patron_category)


def choose_rule(
    rules: Iterable[R],
    *,
    library_path: str,
    patron_category: str,
    item_type: str,
    labels: Mapping[str, str] | None = None,
) -> Decision[R]:
    """Pick the most specific matching rule and say why; `labels` names category and type codes for the reason."""
    given = list(rules)
    where = {"library_path": library_path, "patron_category": patron_category, "item_type": item_type}
    matching = sorted(
        (rule for rule in given if matches(cast(RuleLike, rule), **where)),
        key=lambda rule: specificity(cast(RuleLike, rule)),
        reverse=True,
    )
    if not matching:
        raise NoRuleApplies(patron_category=patron_category or "-", item_type=item_type or "-")
    ranked = cast(list[RuleLike], matching)
    if len(ranked) > 1 and specificity(ranked[1]) == specificity(ranked[0]):
        raise ConflictingRules()
    return Decision(
        rule=matching[0], reason=_explain(ranked, labels or {}), candidates=tuple(matching), considered=len(given)
    )


def _explain(matching: list[RuleLike], labels: Mapping[str, str]) -> str:
    best = matching[0]
    chosen = _("采用{rule}。").format(rule=_describe(best, labels))
    if len(matching) == 1:
        return chosen + _("只有这一条规则适用。")
    runner_up = matching[1]
    count = _("共有 {count} 条规则适用，").format(count=len(matching))
    depth, by_type, _by_category = specificity(best)
    if depth > specificity(runner_up)[0]:
        why = _("它由{scope}制定，比{other}的规则离本馆更近，近的优先。").format(
            scope=_scope(best), other=_scope(runner_up)
        )
    elif by_type and not runner_up.item_type:
        why = _("同一馆的规则中，指定文献类型的优先于适用所有文献的。")
    else:
        why = _("同一馆、文献类型范围相同的规则中，指定读者类型的优先于适用所有读者的。")
    return chosen + count + why


def _scope(rule: RuleLike) -> str:
    return rule.library_name if rule.library_path else _("全网")


def _describe(rule: RuleLike, labels: Mapping[str, str]) -> str:
    who = labels.get(rule.patron_category, rule.patron_category) if rule.patron_category else _("所有读者")
    what = labels.get(rule.item_type, rule.item_type) if rule.item_type else _("所有文献")
    return _("{scope}为{who}借阅{what}定的规则").format(scope=_scope(rule), who=who, what=what)


def local_date(moment: datetime | date) -> date:
    """Return the calendar day of a moment: aware datetimes in the current time zone, dates as they are."""
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def due_date(
    *, start: datetime | date, loan_days: int, is_open: Callable[[date], bool], max_search_days: int = 366
) -> date:
    """Return start + loan_days, moved forward to the first day the library is open, so returns are possible."""
    if loan_days < 0:
        raise InvalidInput(_("借期不能为负数：{days}。").format(days=loan_days), field="loan_days")
    first = local_date(start) + timedelta(days=loan_days)
    for offset in range(max_search_days):
        day = first + timedelta(days=offset)
        if is_open(day):
            return day
    raise NoOpenDay(first=first.isoformat(), days=max_search_days)


def late_days(*, due: date, returned: date, is_open: Callable[[date], bool] | None = None) -> int:
    """Count the days after `due` up to and including `returned`; with `is_open`, only days the library opened."""
    if returned <= due:
        return 0
    span = (returned - due).days
    if is_open is None:
        return span
    return sum(1 for n in range(1, span + 1) if is_open(due + timedelta(days=n)))


def fine_for(
    *,
    due: date,
    returned: date,
    fine_per_day: Decimal | int,
    fine_cap: Decimal | int | None,
    grace_days: int,
    is_open: Callable[[date], bool] | None = None,
) -> Decimal:
    """Return the overdue fine: nothing within the grace days, else every late day charged, never above the cap.

    Grace forgives a return that is at most `grace_days` late; past it, the fine counts from the due date. With
    `is_open`, days the library was closed are not charged (the reader could not bring the item back); a cap of
    None means no cap.
    """
    per_day = Decimal(fine_per_day)
    cap = None if fine_cap is None else Decimal(fine_cap)
    if per_day < 0 or (cap is not None and cap < 0) or grace_days < 0:
        raise InvalidInput(_("罚款标准、上限和宽限天数不能为负数。"), field="fine_per_day")
    days = late_days(due=due, returned=returned, is_open=is_open)
    if days <= grace_days:
        return ZERO
    amount = per_day * days
    if cap is not None:
        amount = min(amount, cap)
    return amount.quantize(FEN, rounding=ROUND_DOWN)


def return_route(
    *, return_policy: str, home_path: str, returned_path: str, float_group_path: str | None
) -> ReturnRoute:
    """Decide whether a returned item stays at the returning library or goes back home.

    `float_group_path` is the subtree a floating item may stay in: "" for the whole network, a library's path for
    a float group (e.g. the home library's city), None when the home library has no ancestor at the rule's float
    level, so the item cannot float.
    """
    if returned_path == home_path:
        return ReturnRoute(stays=True, reason=_("在所属馆归还，直接上架。"))
    if return_policy == RETURN_FLOATING and float_group_path == "":
        return ReturnRoute(stays=True, reason=_("浮动馆藏：留在归还馆。"))
    if return_policy == RETURN_FLOATING and float_group_path is not None:
        if returned_path.startswith(float_group_path) and home_path.startswith(float_group_path):
            return ReturnRoute(stays=True, reason=_("浮动馆藏：归还馆与所属馆在同一浮动范围内，留在归还馆。"))
        return ReturnRoute(stays=False, reason=_("归还馆不在浮动范围内，送回所属馆。"))
    if return_policy == RETURN_FLOATING:
        return ReturnRoute(stays=False, reason=_("所属馆没有规则所定层级的上级馆，无法浮动，送回所属馆。"))
    return ReturnRoute(stays=False, reason=_("规则要求送回所属馆。"))
