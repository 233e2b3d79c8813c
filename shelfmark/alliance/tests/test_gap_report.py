"""The province-wide gap report: regions × years, counting standing documents and showing the empty cells."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shelfmark.alliance import selectors, services
from shelfmark.alliance.tests.factories import region
from shelfmark.core.errors import InvalidInput

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def _register(alliance, code: str, first: int, last: int, **kw):
    return services.register_local_document(
        library=alliance.net.city,
        region=region(code),
        citation=kw.pop("citation", f"{code} {first}-{last}"),
        year_from=first,
        year_to=last,
        actor=alliance.superuser,
        now=NOW,
        **kw,
    )


def _row(report, code):
    return next(row for row in report.rows if row.region.code == code)


def test_city_rows_count_documents_about_the_city_and_its_counties_per_year_covered(alliance):
    # given documents about 沈阳 (the city, and 康平 county), 大连, the whole province, and one withdrawn
    _register(alliance, "210100", 2020, 2022)
    _register(alliance, "210123", 2021, 2021)
    _register(alliance, "210200", 2010, 2030 - 6)  # from before the report to its end
    _register(alliance, "210000", 2023, 2023)
    withdrawn = _register(alliance, "210300", 2020, 2024)
    services.withdraw_local_document(document=withdrawn, actor=alliance.superuser)
    # when the report covers 2020-2024 by city
    report = selectors.gap_report(year_from=2020, year_to=2024, now=NOW)
    # then the province and its 14 cities are rows, and each cell counts the documents covering that year
    assert report.years == [2020, 2021, 2022, 2023, 2024]
    assert [row.region.code for row in report.rows][:3] == ["210000", "210100", "210200"]
    assert len(report.rows) == 15
    assert _row(report, "210000").counts == [0, 0, 0, 1, 0]
    assert _row(report, "210100").counts == [1, 2, 1, 0, 0]
    assert _row(report, "210200").counts == [1, 1, 1, 1, 1]
    assert _row(report, "210300").counts == [0, 0, 0, 0, 0]
    assert (_row(report, "210100").total, _row(report, "210100").gaps) == (4, 2)
    # 15 rows × 5 years: only 1 province cell, 3 沈阳 cells and 5 大连 cells hold anything
    assert report.cells == 75
    assert report.gaps == 75 - (1 + 3 + 5)


def test_county_rows_count_only_documents_of_that_county(alliance):
    _register(alliance, "210100", 2020, 2022)
    _register(alliance, "210123", 2021, 2022)
    report = selectors.gap_report(year_from=2021, year_to=2022, level="county", now=NOW)
    assert len(report.rows) == 101  # the province and its 100 counties
    assert _row(report, "210123").counts == [1, 1]
    assert _row(report, "210124").counts == [0, 0]
    assert sum(row.total for row in report.rows) == 2  # the city-wide document has no county row


def test_the_default_range_is_the_last_ten_years_up_to_this_one(alliance):
    report = selectors.gap_report(now=NOW)
    assert report.years == list(range(2016, 2026))
    assert report.gaps == report.cells == 150


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"year_from": 2024, "year_to": 2020}, "year_from"),
        ({"year_from": "abc"}, "year_from"),
        ({"year_to": "20x"}, "year_to"),
        ({"year_from": 1900, "year_to": 2024}, "year_from"),
        ({"level": "township"}, "level"),
    ],
)
def test_bad_report_parameters_name_the_field(alliance, kw, field):
    with pytest.raises(InvalidInput) as refused:
        selectors.gap_report(now=NOW, **kw)
    assert refused.value.field == field


def test_the_report_reads_in_two_queries_however_many_documents(alliance, django_assert_num_queries):
    for year in range(2015, 2025):
        _register(alliance, "210123", year, year + 1)
    with django_assert_num_queries(2):
        report = selectors.gap_report(year_from=2016, year_to=2025, now=NOW)
    assert _row(report, "210100").counts == [2] * 9 + [1]
