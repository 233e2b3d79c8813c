"""Reads behind the public lists: new arrivals (新书通报), borrowing rankings (借阅排行榜), the children's view.

New arrivals. A title is new to a place when its first copy there arrived within the period: the first
non-withdrawn item of the title whose home library lies in the chosen library's subtree (the whole network when
none is chosen) was created since the period began. Items are read newest first through the item creation-time
indexes, and each is kept only when no earlier copy of its title exists in the same place (one probe of the
item's record index), so a page costs a few dozen index reads whatever the size of the catalogue. Pages are
"newer / older" without a total: counting every new title of a large network would cost more than the page.

Rankings. Check-out events of the period grouped by title (see `circulation.selectors_rankings`); the result,
a few dozen ids and counts, is kept in the cache for RANKINGS_CACHE_SECONDS, so the GROUP BY runs at most once
in that time per choice of period, library, reader category and class.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shelfmark.booklists import selectors as booklists
from shelfmark.booklists.models import AgeBand, BookListEntry
from shelfmark.booklists.rules import class_prefixes, prefix_bounds
from shelfmark.catalog.models import Record
from shelfmark.circulation import selectors_rankings
from shelfmark.core.errors import InvalidInput
from shelfmark.holdings import selectors as holdings
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library
from shelfmark.patrons.models import Category

# 中国图书馆分类法 main classes (the same as catalog.search.facets.CLC_CLASSES, here with English on English pages).
CLC_CLASSES: dict[str, Any] = {
    "A": gettext_lazy("马克思主义、列宁主义、毛泽东思想、邓小平理论"),
    "B": gettext_lazy("哲学、宗教"),
    "C": gettext_lazy("社会科学总论"),
    "D": gettext_lazy("政治、法律"),
    "E": gettext_lazy("军事"),
    "F": gettext_lazy("经济"),
    "G": gettext_lazy("文化、科学、教育、体育"),
    "H": gettext_lazy("语言、文字"),
    "I": gettext_lazy("文学"),
    "J": gettext_lazy("艺术"),
    "K": gettext_lazy("历史、地理"),
    "N": gettext_lazy("自然科学总论"),
    "O": gettext_lazy("数理科学和化学"),
    "P": gettext_lazy("天文学、地球科学"),
    "Q": gettext_lazy("生物科学"),
    "R": gettext_lazy("医药、卫生"),
    "S": gettext_lazy("农业科学"),
    "T": gettext_lazy("工业技术"),
    "U": gettext_lazy("交通运输"),
    "V": gettext_lazy("航空、航天"),
    "X": gettext_lazy("环境科学、安全科学"),
    "Z": gettext_lazy("综合性图书"),
}

ARRIVAL_PERIODS: dict[int, Any] = {
    30: gettext_lazy("近 30 天"),
    90: gettext_lazy("近 90 天"),
    180: gettext_lazy("近半年"),
}
DEFAULT_ARRIVAL_DAYS = 30

RANKING_PERIODS: dict[str, Any] = {
    "month": gettext_lazy("本月"),
    "quarter": gettext_lazy("近三个月"),
    "year": gettext_lazy("今年"),
    "all": gettext_lazy("全部"),
}
DEFAULT_RANKING_PERIOD = "month"
RANKING_SIZE = 50
# How long a computed ranking is kept: this month's for SHELFMARK_RANKINGS_CACHE_SECONDS (600), longer periods
# longer, since a few loans more hardly move a year's ranking and its GROUP BY reads a year of check-outs.
RANKINGS_CACHE_SECONDS = float(getattr(settings, "SHELFMARK_RANKINGS_CACHE_SECONDS", 600))
RANKINGS_CACHE_FACTOR = {"month": 1, "quarter": 6, "year": 18, "all": 36}

CHILDREN_PER_BAND = 6
CLASS_BATCHES = 5


@dataclass(frozen=True)
class Title:
    """A title as the lists show it: the record, where its copies are on the shelf, and what the list says of it."""

    record: Record
    places: list[holdings.LibraryAvailability]
    when: datetime | None = None
    loans: int = 0
    note: str = ""

    @property
    def available(self) -> int:
        return sum(place.available for place in self.places)

    @property
    def copies(self) -> int:
        return sum(place.total for place in self.places)


@dataclass(frozen=True)
class Page:
    titles: list[Title]
    page: int
    has_next: bool


# -- choices read from the query string -------------------------------------------------------------------------


def library_by_code(code: str) -> Library | None:
    """Return the active library with this code; "" means none chosen; an unknown code is refused by name."""
    if not code:
        return None
    found = Library.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise InvalidInput(_("没有代码为 {code} 的图书馆。"), field="library", code=code[:40])
    return found


def clc_class(letter: str) -> str:
    """Return the CLC main class letter chosen, "" for none; anything else is refused by name."""
    letter = letter.strip().upper()
    if letter and letter not in CLC_CLASSES:
        raise InvalidInput(_("{value} 不是中图法的基本大类。"), field="class", value=letter[:10])
    return letter


def choice(value: str, choices: dict[Any, Any], default: Any, field: str) -> Any:
    """Return the chosen key of `choices` (its string form in the query), the default when absent."""
    if not value:
        return default
    for key in choices:
        if str(key) == value:
            return key
    raise InvalidInput(_("参数 {name} 的取值 {value} 无效。"), field=field, name=field, value=value[:20])


def reader_category(value: str) -> str:
    if value and value not in Category.values:
        raise InvalidInput(_("参数 {name} 的取值 {value} 无效。"), field="category", name="category", value=value[:20])
    return value


def libraries() -> list[Library]:
    """Return the active libraries in tree order, for the library choice."""
    return list(
        Library.objects.filter(is_active=True).order_by("path").only("id", "code", "name", "name_en", "depth", "path")
    )


def _subtree_ids(library: Library | None) -> list[int] | None:
    """The ids of the library's subtree, None for the whole network (no library, or a root of the only tree)."""
    if library is None:
        return None
    if library.parent_id is None and not Library.objects.filter(parent__isnull=True).exclude(pk=library.pk).exists():
        return None
    return list(Library.objects.filter(path__startswith=library.path).values_list("pk", flat=True))


def _class_q(field: str, prefix: str) -> Q:
    """Class numbers starting with `prefix`, as a range the class index serves (LIKE is not indexed on SQLite)."""
    low, high = prefix_bounds(prefix)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


@contextmanager
def _serial() -> Iterator[None]:
    """Plan the statements inside without parallel workers on PostgreSQL (nothing to do on SQLite).

    A parallel walk of the creation-time index reads ahead in every worker: 20 new titles of a rare class in
    180 days took 560 ms with two workers (48,000 items read) and 20 ms without (700). SET LOCAL lasts to the end
    of a transaction, so it runs in one of its own, and is set back inside a caller's transaction.
    """
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_parallel_workers_per_gather'),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
        (previous,) = cursor.fetchone()[:1]
        yield
        if nested:
            cursor.execute("SELECT set_config('max_parallel_workers_per_gather', %s, true)", [previous])


def availability(record_ids: list[int]) -> dict[int, list[holdings.LibraryAvailability]]:
    """Return where each title's copies are, by library, in two statements."""
    return holdings.availability_for_records(record_ids)


def _titles(rows: list[tuple[int, dict[str, Any]]]) -> list[Title]:
    """Turn (record id, extra fields) rows into titles with their records and availability, in three statements."""
    ids = [record_id for record_id, _extra in rows]
    records = Record.objects.defer("marc").in_bulk(ids)
    places = holdings.availability_for_records(ids)
    return [
        Title(record=records[record_id], places=places.get(record_id, []), **extra)
        for record_id, extra in rows
        if record_id in records
    ]


# -- new arrivals --------------------------------------------------------------------------------------------------


def new_arrivals(
    *,
    days: int,
    library: Library | None = None,
    clc: str = "",
    page: int = 1,
    per_page: int = 20,
    now: datetime | None = None,
) -> Page:
    """Return one page of the titles new to `library` (the network) in the last `days` days, newest first."""
    if page < 1:
        raise InvalidInput(_("页码必须是正整数。"), field="page")
    now = now or timezone.now()
    since = now - timedelta(days=days)
    scope = Item.objects.exclude(status=ItemStatus.WITHDRAWN)
    subtree = _subtree_ids(library)
    if subtree is not None:
        scope = scope.filter(home_library_id__in=subtree)
    earlier = scope.filter(record_id=OuterRef("record_id")).filter(
        Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    firsts = scope.filter(created_at__gte=since, created_at__lte=now).filter(~Exists(earlier))
    if clc:
        firsts = firsts.filter(_class_q("record__clc_class", clc))
    offset = (page - 1) * per_page
    with _serial():
        rows = list(
            firsts.order_by("-created_at", "-pk").values_list("record_id", "created_at")[offset : offset + per_page + 1]
        )
    titles = _titles([(record_id, {"when": created_at}) for record_id, created_at in rows[:per_page]])
    return Page(titles=titles, page=page, has_next=len(rows) > per_page)


# -- rankings ------------------------------------------------------------------------------------------------------


def ranking_bounds(period: str, *, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """Return [since, until) of a ranking period in the library's time zone; None for an open end."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if period == "month":
        return month_start, None
    if period == "quarter":
        year, month = (month_start.year, month_start.month - 2)
        if month < 1:
            year, month = year - 1, month + 12
        return timezone.make_aware(datetime(year, month, 1), local.tzinfo), None
    if period == "year":
        return timezone.make_aware(datetime(local.year, 1, 1), local.tzinfo), None
    if period == "all":
        return None, None
    raise InvalidInput(_("参数 {name} 的取值 {value} 无效。"), field="period", name="period", value=period[:20])


def rankings(
    *,
    period: str,
    library: Library | None = None,
    category: str = "",
    clc: str = "",
    now: datetime | None = None,
) -> list[Title]:
    """Return the most borrowed titles of the period, with their loan counts, most loans first."""
    since, until = ranking_bounds(period, now=now)
    key = ":".join(
        [
            "opac:rankings:v1",
            period,
            since.isoformat() if since else "-",
            str(library.pk if library else "-"),
            category or "-",
            clc or "-",
        ]
    )
    keep = RANKINGS_CACHE_SECONDS * RANKINGS_CACHE_FACTOR[period]
    ranked = cache.get(key) if keep > 0 else None
    if ranked is None:
        top = selectors_rankings.top_titles(
            since=since,
            until=until,
            library_ids=_subtree_ids(library),
            patron_category=category,
            clc_prefix=clc,
            limit=RANKING_SIZE,
        )
        ranked = [(title.record_id, title.loans) for title in top]
        if keep > 0:
            cache.set(key, ranked, keep)
    return _titles([(record_id, {"loans": loans}) for record_id, loans in ranked])


# -- children's view -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """One age band of the children's view: the titles recommended for it, then those its classes give."""

    value: str
    label: Any
    titles: list[Title]
    has_more: bool = False


def children_bands(*, per_band: int = CHILDREN_PER_BAND) -> list[Band]:
    """Return every age band with its first titles: from published children's lists first, then by class."""
    listed = booklists.children_entries(per_band=per_band)
    rows = {value: _band_rows(value, listed.get(value, []), limit=per_band) for value in AgeBand.values}
    # One read of records and shelves for all bands; each band then takes its titles with its own notes.
    titles = {title.record.pk: title for title in _titles([row for band in rows.values() for row in band])}
    bands = []
    for value, label in AgeBand.choices:
        shown = rows[value][:per_band]
        bands.append(
            Band(
                value=value,
                label=label,
                titles=[_with(titles[record_id], extra) for record_id, extra in shown if record_id in titles],
                has_more=len(rows[value]) > per_band,
            )
        )
    return bands


def children_band(band: str, *, page: int = 1, per_page: int = 24) -> Page:
    """Return one page of an age band: its listed titles first, then the titles of its children's classes."""
    if band not in AgeBand.values:
        raise InvalidInput(_("参数 {name} 的取值 {value} 无效。"), field="age", name="age", value=band[:20])
    if page < 1:
        raise InvalidInput(_("页码必须是正整数。"), field="page")
    listed = booklists.children_entries(per_band=page * per_page + 1).get(band, [])
    rows = _band_rows(band, listed, limit=page * per_page)
    return Page(
        titles=_titles(rows[(page - 1) * per_page : page * per_page]), page=page, has_next=len(rows) > page * per_page
    )


def _with(title: Title, extra: dict[str, Any]) -> Title:
    return Title(record=title.record, places=title.places, **extra)


def _band_rows(band: str, listed: list[BookListEntry], *, limit: int) -> list[tuple[int, dict[str, Any]]]:
    """The band's first limit + 1 titles as (record id, extra) rows: listed entries, then class titles not listed."""
    rows: list[tuple[int, dict[str, Any]]] = [(entry.record_id, {"note": entry.note}) for entry in listed]
    seen = {record_id for record_id, _extra in rows}
    wanted = limit + 1 - len(rows)
    if wanted > 0:
        for record_id in _class_titles(band, limit=wanted + len(seen)):
            if record_id not in seen:
                rows.append((record_id, {}))
                seen.add(record_id)
    return rows[: limit + 1]


def _class_titles(band: str, *, limit: int) -> list[int]:
    """Ids of the newest titles with a copy on the network's shelves whose class places them in `band`.

    The newest titles of the band's classes are read from the class index in batches and kept when a copy is held:
    checking every title of a class for a copy before sorting cost 100-240 ms a band on SQLite with 30,000 titles
    in a class; a batch costs 1-30 ms. Titles no library holds (union-catalogue records) are skipped; the walk
    stops after CLASS_BATCHES batches, so a band of such titles shows fewer.
    """
    included, excluded = class_prefixes(band)
    if not included:
        return []
    where = Q()
    for prefix in included:
        where |= _class_q("clc_class", prefix)
    for prefix in excluded:
        where &= ~_class_q("clc_class", prefix)
    titles = Record.objects.filter(where).order_by("-pk").values_list("pk", flat=True)
    size = 2 * limit + 10
    found: list[int] = []
    below: int | None = None
    for _batch in range(CLASS_BATCHES):
        batch = list((titles if below is None else titles.filter(pk__lt=below))[:size])
        if not batch:
            break
        held = set(
            Item.objects.filter(record_id__in=batch)
            .exclude(status=ItemStatus.WITHDRAWN)
            .values_list("record_id", flat=True)
            .distinct()
        )
        found += [record_id for record_id in batch if record_id in held]
        if len(found) >= limit or len(batch) < size:
            break
        below = batch[-1]
    return found[:limit]
