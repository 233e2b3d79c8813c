"""The alliance scorecard: members ranked on each active indicator for a year, with targets met or not."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from shelfmark.alliance import indicators as registry
from shelfmark.alliance.models import Direction, Indicator
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Level, Library

MEMBER_LEVELS = (Level.CITY, Level.COUNTY)


@dataclass(frozen=True)
class Placing:
    """One member on one indicator: its value, its rank (ties share one; no value, no rank) and the verdict."""

    library: Library
    value: Decimal | int | None
    rank: int | None
    met: bool | None  # None: no target, no value, or the indicator's data is missing


@dataclass(frozen=True)
class Ranking:
    indicator: Indicator
    placings: list[Placing]
    note: str

    @property
    def met_count(self) -> int:
        return sum(1 for placing in self.placings if placing.met)


@dataclass(frozen=True)
class Scorecard:
    """Every active indicator ranked over the same members for one year."""

    year: int
    level: str
    members: list[Library]
    rankings: list[Ranking]

    def placing(self, ranking: Ranking, library: Library) -> Placing:
        return next(placing for placing in ranking.placings if placing.library.pk == library.pk)


def members_at(level: str) -> list[Library]:
    """Return the active libraries of `level` (city by default): the alliance's members on the scorecard."""
    if level not in MEMBER_LEVELS:
        raise InvalidInput(
            _("成员馆层级只能是 {allowed} 之一。"), field="level", allowed="、".join(str(v) for v in MEMBER_LEVELS)
        )
    return list(Library.objects.filter(level=level, is_active=True).order_by("code"))


def build_scorecard(*, year: int | str, level: str = Level.CITY) -> Scorecard:
    """Compute and rank every active indicator for `year` over the members at `level`."""
    year = _year(year)
    members = members_at(level)
    scope = registry.make_scope(year, members)
    rankings = []
    for indicator in Indicator.objects.filter(is_active=True).order_by("position", "code"):
        compute = registry.REGISTRY.get(indicator.code)
        if compute is None:
            result = registry.Result(values={m.pk: None for m in members}, note=_("没有注册计算方法。"), judged=False)
        else:
            result = compute(scope)
        rankings.append(Ranking(indicator=indicator, placings=rank(indicator, members, result), note=result.note))
    return Scorecard(year=year, level=level, members=members, rankings=rankings)


def rank(indicator: Indicator, members: list[Library], result: registry.Result) -> list[Placing]:
    """Order members best first by the indicator's direction; equal values share a rank (1, 2, 2, 4)."""
    higher = indicator.direction == Direction.HIGHER
    valued = [m for m in members if result.values.get(m.pk) is not None]
    unvalued = [m for m in members if result.values.get(m.pk) is None]

    def key(member: Library) -> tuple[Decimal, str]:
        value = Decimal(result.values[member.pk] or 0)
        return (-value if higher else value, member.code)

    valued.sort(key=key)
    placings: list[Placing] = []
    previous: Decimal | int | None = None
    current_rank = 0
    for position, member in enumerate(valued, start=1):
        value = result.values[member.pk]
        if value != previous:
            current_rank, previous = position, value
        placings.append(
            Placing(library=member, value=value, rank=current_rank, met=_met(indicator, value, result.judged))
        )
    placings.extend(Placing(library=m, value=None, rank=None, met=None) for m in unvalued)
    return placings


def _met(indicator: Indicator, value: Decimal | int | None, judged: bool) -> bool | None:
    if indicator.target is None or value is None or not judged:
        return None
    if indicator.direction == Direction.HIGHER:
        return Decimal(value) >= indicator.target
    return Decimal(value) <= indicator.target


def _year(year: int | str) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("年份 {value} 不是一个整数年份。"), field="year", value=repr(year)) from None
    if not 1900 <= value <= 9999:
        raise InvalidInput(_("年份 {value} 不是一个整数年份。"), field="year", value=repr(year))
    return value
