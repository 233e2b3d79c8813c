"""Reads of the joint local-document collection: documents, regions and the province-wide gap report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.alliance.models import LocalDocument, Region, RegionLevel
from shelfmark.core.errors import InvalidInput

DEFAULT_YEARS = 10
MAX_YEARS = 60
GAP_LEVELS = (RegionLevel.CITY, RegionLevel.COUNTY)


@dataclass(frozen=True)
class GapRow:
    """One region's documents per year of the report; a zero is a gap."""

    region: Region
    counts: list[int]

    @property
    def total(self) -> int:
        """Documents per year summed (a document covering three years counts three times)."""
        return sum(self.counts)

    @property
    def gaps(self) -> int:
        return sum(1 for count in self.counts if count == 0)


@dataclass(frozen=True)
class GapReport:
    """Regions × years with the number of standing local documents that document each region in each year."""

    years: list[int]
    level: str
    rows: list[GapRow]

    @property
    def gaps(self) -> int:
        return sum(row.gaps for row in self.rows)

    @property
    def cells(self) -> int:
        return len(self.rows) * len(self.years)


def standing_documents() -> QuerySet[LocalDocument]:
    """Return the documents not withdrawn, newest first."""
    return LocalDocument.objects.filter(withdrawn_at__isnull=True).select_related("library", "region", "record")


def active_regions() -> QuerySet[Region]:
    """Return the regions a document may be registered under, in code order."""
    return Region.objects.filter(is_active=True).order_by("code")


def year_range(
    year_from: int | str | None, year_to: int | str | None, *, now: datetime | None = None
) -> tuple[int, int]:
    """Return the report's years: as asked, else the last ten years up to this one; bad input names its field."""
    this_year = timezone.localtime(now or timezone.now()).year
    last = _year(year_to, "year_to", this_year)
    first = _year(year_from, "year_from", last - DEFAULT_YEARS + 1)
    if first > last:
        raise InvalidInput(_("起始年 {first} 晚于截止年 {last}。"), field="year_from", first=first, last=last)
    if last - first + 1 > MAX_YEARS:
        raise InvalidInput(_("报表最多覆盖 {limit} 年。"), field="year_from", limit=MAX_YEARS)
    return first, last


def gap_report(
    *,
    year_from: int | str | None = None,
    year_to: int | str | None = None,
    level: str = RegionLevel.CITY,
    now: datetime | None = None,
) -> GapReport:
    """Count, for each region at `level` (cities or counties) and each year, the standing documents that document
    it; a city counts documents about itself and its counties. The province row counts province-wide documents.
    Two queries whatever the size: the regions, and the documents overlapping the years."""
    if level not in GAP_LEVELS:
        raise InvalidInput(
            _("地区层级只能是 {allowed} 之一。"), field="level", allowed="、".join(str(v) for v in GAP_LEVELS)
        )
    first, last = year_range(year_from, year_to, now=now)
    years = list(range(first, last + 1))
    regions = list(Region.objects.filter(is_active=True, level__in=[RegionLevel.PROVINCE, level]).order_by("code"))
    prefix_length = 4 if level == RegionLevel.CITY else 6
    index = {region.code[:prefix_length]: i for i, region in enumerate(regions) if region.level == level}
    province_rows = {region.code: i for i, region in enumerate(regions) if region.level == RegionLevel.PROVINCE}
    table = [[0] * len(years) for _region in regions]
    documents = LocalDocument.objects.filter(
        withdrawn_at__isnull=True, year_from__lte=last, year_to__gte=first
    ).values_list("region__code", "year_from", "year_to")
    for code, doc_first, doc_last in documents:
        row = province_rows.get(code)
        if row is None:
            row = index.get(code[:prefix_length])
        if row is None:
            continue  # documents a region above the chosen level (a city when counties are asked) or out of service
        for year in range(max(doc_first, first), min(doc_last, last) + 1):
            table[row][year - first] += 1
    return GapReport(
        years=years, level=level, rows=[GapRow(region=region, counts=table[i]) for i, region in enumerate(regions)]
    )


def _year(value: int | str | None, field: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("年份 {value} 不是一个整数年份。"), field=field, value=repr(value)) from None
    if not 1000 <= year <= 9999:
        raise InvalidInput(_("年份 {value} 不是一个整数年份。"), field=field, value=repr(value))
    return year
