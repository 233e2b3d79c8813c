"""Scorecard indicators on a small network built through the real services, ranking, targets, workbook, command."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from shelfmark.alliance import indicators, scorecard, xlsx
from shelfmark.alliance.models import Direction, Indicator
from shelfmark.alliance.tests.factories import Alliance
from shelfmark.catalog.models import Record
from shelfmark.circulation import services as circulation
from shelfmark.circulation.models import CirculationRule
from shelfmark.core.errors import InvalidInput
from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ILL = apps.is_installed("shelfmark.ill")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=SHANGHAI)


@dataclass
class Built:
    alliance: Alliance
    clerk: Any


def _record(title: str, library: Any, day: str) -> Record:
    record = make_record(title, library=library)
    Record.objects.filter(pk=record.pk).update(created_at=at(day))  # catalogued that day (history set up)
    return record


@pytest.fixture
def built(alliance: Alliance) -> Built:
    """沈阳 (with 康平 and 法库 below it) and 大连 are the city members; the province is no member.

    Records catalogued in 2025: 沈阳's subtree 3 (one by 康平), 大连 1; plus one 沈阳 record of 2024, one provincial.
    Copies: A only at 康平 and 法库 (unique to 沈阳), B only at 大连 (unique), C at 沈阳 and 大连 (shared),
    D at 沈阳 and the province (shared), E only at 大连 but withdrawn (not held), F at 大连 added in 2026 (not yet).
    Readers by the end of 2025: 沈阳's subtree 4 (one registered in 2026 does not count), 大连 1.
    Check-outs in 2025: 6 in 沈阳's subtree, 1 in 大连; one more in 2024 does not count.
    """
    net = alliance.net
    from shelfmark.accounts import services as accounts
    from shelfmark.accounts.models import Role

    clerk = accounts.create_staff(username="desk", password="pw-123456", library=net.province, roles=[Role.CIRCULATION])
    CirculationRule.objects.create(
        loan_days=30,
        max_loans=20,
        renewals=1,
        fine_per_day=Decimal("0.10"),
        fine_cap=Decimal("5.00"),
        hold_shelf_days=3,
    )
    a = _record("沈阳地方志", net.county, "2025-02-01")
    b = _record("大连港史", alliance.dalian, "2025-03-01")
    c = _record("辽宁通史", net.city, "2025-04-01")
    d = _record("东北民俗", net.city, "2025-05-01")
    e = _record("旧书", alliance.dalian, "2023-05-01")
    f = _record("新书", net.city, "2024-05-01")
    _record("省馆目录", net.province, "2025-05-01")
    early = at("2025-01-02")
    items = {
        "a1": make_item(a, library=net.county, now=early),
        "a2": make_item(a, library=net.other_county, now=early),
        "b": make_item(b, library=alliance.dalian, now=early),
        "c1": make_item(c, library=net.city, now=early),
        "c2": make_item(c, library=alliance.dalian, now=early),
        "d1": make_item(d, library=net.city, now=early),
        "d2": make_item(d, library=net.province, now=early),
        "e": make_item(e, library=alliance.dalian, status=ItemStatus.WITHDRAWN, now=early),
        "f": make_item(f, library=alliance.dalian, now=at("2026-01-05")),
    }
    readers = [make_patron(library=lib, now=at("2024-12-01")) for lib in (net.city, net.city, net.county, net.township)]
    make_patron(library=net.city, now=at("2026-01-02"))
    dalian_reader = make_patron(library=alliance.dalian, now=at("2024-12-01"))
    lend = [
        ("a1", readers[0], net.county, "2025-03-01"),
        ("a2", readers[1], net.other_county, "2025-03-02"),
        ("c1", readers[2], net.city, "2025-03-03"),
        ("d1", readers[3], net.city, "2025-03-04"),
    ]
    for key, reader, library, day in lend:
        circulation.check_out(item=items[key], patron=reader, library=library, actor=clerk, now=at(day))
        circulation.check_in(item=items[key], library=library, actor=clerk, now=at(day.replace("-03-", "-04-")))
    for key, reader, library, day in lend[:2]:
        circulation.check_out(
            item=items[key], patron=reader, library=library, actor=clerk, now=at(day.replace("-03-", "-06-"))
        )
        circulation.check_in(item=items[key], library=library, actor=clerk, now=at(day.replace("-03-", "-07-")))
    circulation.check_out(
        item=items["b"], patron=dalian_reader, library=alliance.dalian, actor=clerk, now=at("2025-08-01")
    )
    circulation.check_in(item=items["b"], library=alliance.dalian, actor=clerk, now=at("2025-08-20"))
    circulation.check_out(
        item=items["c2"], patron=dalian_reader, library=alliance.dalian, actor=clerk, now=at("2024-08-01")
    )
    return Built(alliance=alliance, clerk=clerk)


def _values(code: str, alliance: Alliance, year: int = 2025) -> dict[str, Any]:
    members = scorecard.members_at("city")
    result = indicators.REGISTRY[code](indicators.make_scope(year, members))
    return {member.code: result.values[member.pk] for member in members}


def test_the_first_indicators_are_seeded_and_each_has_a_computation():
    codes = list(Indicator.objects.values_list("code", flat=True))
    assert codes == [
        "records_contributed",
        "unique_holdings",
        "loans_per_reader",
        "ill_requests_filled",
        "ill_fill_rate",
        "ill_median_turnaround",
    ]
    assert set(codes) <= set(indicators.REGISTRY)
    assert Indicator.objects.get(code="ill_median_turnaround").direction == Direction.LOWER


def test_records_contributed_counts_the_members_subtree_that_year(built):
    assert _values("records_contributed", built.alliance) == {"LN-DL": 1, "LN-SY": 3}
    assert _values("records_contributed", built.alliance, 2024) == {"LN-DL": 0, "LN-SY": 1}


def test_unique_holdings_counts_titles_held_by_that_member_alone(built):
    assert _values("unique_holdings", built.alliance) == {"LN-DL": 1, "LN-SY": 1}
    # by the end of 2026 the new copy at 大连 is held too
    assert _values("unique_holdings", built.alliance, 2026) == {"LN-DL": 2, "LN-SY": 1}


def test_loans_per_reader_divides_the_years_check_outs_by_the_readers_registered(built):
    assert _values("loans_per_reader", built.alliance) == {"LN-DL": Decimal("1.00"), "LN-SY": Decimal("1.50")}
    assert _values("loans_per_reader", built.alliance, 2024) == {"LN-DL": Decimal("1.00"), "LN-SY": Decimal("0.00")}


@pytest.mark.skipif(ILL, reason="interlibrary loan is installed: its own figures are read")
def test_ill_indicators_count_zero_with_a_note_and_no_verdict_without_the_ill_module(built):
    members = scorecard.members_at("city")
    for code in ("ill_requests_filled", "ill_fill_rate", "ill_median_turnaround"):
        result = indicators.REGISTRY[code](indicators.make_scope(2025, members))
        assert set(result.values.values()) == {0}
        assert result.note and not result.judged
    card = scorecard.build_scorecard(year=2025)
    ill = [r for r in card.rankings if r.indicator.code.startswith("ill_")]
    assert {p.met for r in ill for p in r.placings} == {None}


@pytest.mark.skipif(not ILL, reason="interlibrary loan is not installed")
def test_ill_indicators_have_no_values_where_nothing_was_requested(built):
    assert _values("ill_requests_filled", built.alliance) == {"LN-DL": 0, "LN-SY": 0}
    assert _values("ill_fill_rate", built.alliance) == {"LN-DL": None, "LN-SY": None}
    assert _values("ill_median_turnaround", built.alliance) == {"LN-DL": None, "LN-SY": None}


def _indicator(direction: str, target: str | None) -> Indicator:
    return Indicator(code="t", name="测试", direction=direction, target=Decimal(target) if target else None)


def _libraries(alliance: Alliance) -> list[Any]:
    return [alliance.net.city, alliance.dalian, alliance.net.province]


def test_ranking_puts_higher_first_shares_ties_and_leaves_no_value_unranked(alliance):
    city, dalian, province = _libraries(alliance)
    result = indicators.Result(values={city.pk: 5, dalian.pk: 5, province.pk: None})
    county = alliance.net.county
    result.values[county.pk] = 9
    placings = scorecard.rank(_indicator(Direction.HIGHER, "6"), [city, dalian, province, county], result)
    assert [(p.library.code, p.rank, p.met) for p in placings] == [
        ("LN-SY-KP", 1, True),
        ("LN-DL", 2, False),
        ("LN-SY", 2, False),
        ("LN", None, None),
    ]


def test_ranking_puts_lower_first_when_lower_is_better_and_meets_targets_at_or_below(alliance):
    city, dalian, province = _libraries(alliance)
    result = indicators.Result(values={city.pk: Decimal("7.0"), dalian.pk: Decimal("3.5"), province.pk: Decimal("9")})
    placings = scorecard.rank(_indicator(Direction.LOWER, "7"), [city, dalian, province], result)
    assert [(p.library.code, p.rank, p.met) for p in placings] == [
        ("LN-DL", 1, True),
        ("LN-SY", 2, True),
        ("LN", 3, False),
    ]
    untargeted = scorecard.rank(_indicator(Direction.LOWER, None), [city, dalian, province], result)
    assert {p.met for p in untargeted} == {None}


def test_the_scorecard_ranks_members_and_judges_targets(built):
    Indicator.objects.filter(code="records_contributed").update(target=2)
    card = scorecard.build_scorecard(year=2025)
    assert [m.code for m in card.members] == ["LN-DL", "LN-SY"]
    records = card.rankings[0]
    assert records.indicator.code == "records_contributed"
    assert [(p.library.code, p.value, p.rank, p.met) for p in records.placings] == [
        ("LN-SY", 3, 1, True),
        ("LN-DL", 1, 2, False),
    ]
    loans = next(r for r in card.rankings if r.indicator.code == "loans_per_reader")
    assert [(p.library.code, p.value, p.met) for p in loans.placings] == [
        ("LN-SY", Decimal("1.50"), False),
        ("LN-DL", Decimal("1.00"), False),
    ]


def test_an_inactive_indicator_is_left_out(built):
    Indicator.objects.filter(code="unique_holdings").update(is_active=False)
    card = scorecard.build_scorecard(year=2025)
    assert "unique_holdings" not in [r.indicator.code for r in card.rankings]


@pytest.mark.parametrize(
    ("kw", "field"), [({"year": "二〇二五"}, "year"), ({"year": 2025, "level": "province"}, "level")]
)
def test_bad_scorecard_parameters_name_the_field(alliance, kw, field):
    with pytest.raises(InvalidInput) as refused:
        scorecard.build_scorecard(**kw)
    assert refused.value.field == field


def test_the_scorecard_costs_a_fixed_number_of_queries_whatever_the_members(built):
    with CaptureQueriesContext(connection) as two_members:
        scorecard.build_scorecard(year=2025)
    from shelfmark.libraries import services as libraries
    from shelfmark.libraries.models import Level

    for n in range(5):
        libraries.create_library(code=f"LN-C{n}", name=f"市馆{n}", level=Level.CITY, parent=built.alliance.net.province)
    with CaptureQueriesContext(connection) as seven_members:
        card = scorecard.build_scorecard(year=2025)
    assert len(card.members) == 7
    assert len(seven_members) == len(two_members)
    # members, the library map, the indicators, then one aggregate per indicator (two for loans per reader)
    per_ill_indicator = 1 if ILL else 0
    assert len(seven_members) == 3 + 1 + 1 + 2 + 3 * per_ill_indicator


def test_the_workbook_has_a_summary_and_a_ranked_sheet_per_indicator_with_numbers(built, tmp_path: Path):
    card = scorecard.build_scorecard(year=2025)
    path = tmp_path / "scorecard.xlsx"
    path.write_bytes(xlsx.to_bytes(xlsx.scorecard_workbook(card)))
    book = load_workbook(path)
    assert book.sheetnames == [
        "汇总",
        "贡献书目数",
        "独有馆藏种数",
        "注册读者人均借阅量",
        "馆际互借满足请求数",
        "馆际互借满足率",
        "馆际互借周转时间中位数",
    ]
    summary = book["汇总"]
    assert [c.value for c in summary[1]][:5] == [
        "馆代码",
        "图书馆",
        "贡献书目数（条）",
        "独有馆藏种数（种）",
        "注册读者人均借阅量（册次/人）",
    ]
    assert [c.value for c in summary[3]][:5] == ["LN-SY", "沈阳市图书馆", 3, 1, 1.5]
    assert summary.freeze_panes == "A2"
    assert summary.column_dimensions["B"].width >= 14
    records = book["贡献书目数"]
    assert [c.value for c in records[1]] == ["排名", "馆代码", "图书馆", "数值（条）", "目标值（条）", "是否达标"]
    assert [c.value for c in records[2]] == [1, "LN-SY", "沈阳市图书馆", 3, 500, "未达标"]
    assert [c.value for c in records[3]] == [2, "LN-DL", "大连图书馆", 1, 500, "未达标"]
    assert records.freeze_panes == "A2"
    assert isinstance(book["注册读者人均借阅量"]["D2"].value, float)


def test_the_command_prints_the_table_and_writes_the_workbook(built, tmp_path: Path):
    out = io.StringIO()
    path = tmp_path / "card.xlsx"
    call_command("scorecard", "--year", "2025", "--xlsx", str(path), stdout=out)
    text = out.getvalue()
    assert "2025 年度联盟绩效考评" in text
    assert "沈阳市图书馆" in text and "大连图书馆" in text
    assert f"wrote {path}" in text
    assert load_workbook(path).sheetnames[0] == "汇总"
