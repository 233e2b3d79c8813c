"""Facets (分面): count hits per value of a dimension, and narrow a search to one chosen value.

Built-in dimensions read catalog_search_facets, a narrow copy of the record's facet columns kept by
the index (reading catalog_record would mean reading every hit's MARC). The holdings module adds
"library holding it" by calling `register()` with a dimension whose `group_sql` joins its item table
on `s.record_id` and whose `where` is an EXISTS on `f.record_id`; until items exist, `library` is
the cataloguing library (编目馆).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from shelfmark.catalog.models import ResourceType
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Library

Sql = tuple[str, list[Any]]

# 中国图书馆分类法 main classes, by the letter that starts a class number.
CLC_CLASSES = {
    "A": "马克思主义、列宁主义、毛泽东思想、邓小平理论",
    "B": "哲学、宗教",
    "C": "社会科学总论",
    "D": "政治、法律",
    "E": "军事",
    "F": "经济",
    "G": "文化、科学、教育、体育",
    "H": "语言、文字",
    "I": "文学",
    "J": "艺术",
    "K": "历史、地理",
    "N": "自然科学总论",
    "O": "数理科学和化学",
    "P": "天文学、地球科学",
    "Q": "生物科学",
    "R": "医药、卫生",
    "S": "农业科学",
    "T": "工业技术",
    "U": "交通运输",
    "V": "航空、航天",
    "X": "环境科学、安全科学",
    "Z": "综合性图书",
}
LANGUAGES = {
    "chi": "中文",
    "zho": "中文",
    "eng": "英语",
    "jpn": "日语",
    "kor": "朝鲜语",
    "rus": "俄语",
    "fre": "法语",
    "ger": "德语",
    "spa": "西班牙语",
    "ita": "意大利语",
    "ara": "阿拉伯语",
    "lat": "拉丁语",
    "mon": "蒙古语",
    "tib": "藏语",
    "uig": "维吾尔语",
    "mul": "多语种",
    "und": "未定",
}


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet with the number of hits that have it."""

    value: str
    label: str
    count: int


class Dimension(Protocol):
    """A facet. SQL sees the hits as `s` (for counting) or the current hit as `f` (for filtering): rows of
    catalog_search_facets, whose `record_id` is the record's id, so a dimension may join its own tables."""

    @property
    def key(self) -> str: ...

    @property
    def label(self) -> Any: ...

    def group_sql(self, source: str) -> Sql:
        """Return `SELECT <value as text>, <count>, <label as text or NULL> FROM <source> ... GROUP BY ...`:
        a label read in the same statement (a library's name) spares a lookup per search."""
        ...

    def values(self, counts: Sequence[tuple[str, int, str | None]]) -> list[FacetValue]:
        """Order, cut and label the counted values (value, count, label from SQL or None)."""
        ...

    def where(self, value: str) -> Sql:
        """Return a condition on `f` selecting hits with this value; raise InvalidInput for a bad value."""
        ...


@dataclass(frozen=True)
class ColumnDimension:
    """A facet over one column of catalog_search_facets: its values counted, most frequent first."""

    key: str
    label: Any
    column: str
    labeller: Callable[[list[str]], dict[str, str]]
    limit: int = 20
    integer: bool = False
    # `(table, label column)`: label each value with that column of the table row whose id is the value.
    label_join: tuple[str, str] | None = None

    def group_sql(self, source: str) -> Sql:
        present = f"{self.column} IS NOT NULL" if self.integer else f"{self.column} <> ''"
        group = f"SELECT {self.column} AS v, count(*) AS n FROM {source} WHERE {present} GROUP BY {self.column}"
        if self.label_join is None:
            return f"SELECT CAST(g.v AS text), g.n, NULL FROM ({group}) g", []
        table, label = self.label_join
        return f"SELECT CAST(g.v AS text), g.n, l.{label} FROM ({group}) g LEFT JOIN {table} l ON l.id = g.v", []

    def values(self, counts: Sequence[tuple[str, int, str | None]]) -> list[FacetValue]:
        top = sorted(counts, key=lambda item: (-item[1], item[0]))[: self.limit]
        labels = self.labeller([value for value, _count, label in top if label is None])
        return [FacetValue(value, label or labels.get(value, value), n) for value, n, label in top]

    def where(self, value: str) -> Sql:
        if self.integer:
            if not value.isdigit():
                raise InvalidInput(f"{self.key} must be a number, not {value!r}", field=self.key)
            return f"f.{self.column} = %s", [int(value)]
        if self.key == "clc":
            if value.upper() not in CLC_CLASSES:
                raise InvalidInput(f"{value!r} is not a CLC main class", field=self.key)
            return f"f.{self.column} = %s", [value.upper()]
        return f"f.{self.column} = %s", [value]


def _same(values: list[str]) -> dict[str, str]:
    return {value: value for value in values}


def _resource_types(values: list[str]) -> dict[str, str]:
    return {value: str(label) for value, label in ResourceType.choices if value in values}


def _languages(values: list[str]) -> dict[str, str]:
    return {value: LANGUAGES.get(value, value) for value in values}


def _clc(values: list[str]) -> dict[str, str]:
    return {value: f"{value} {CLC_CLASSES[value]}" for value in values if value in CLC_CLASSES}


def _libraries(values: list[str]) -> dict[str, str]:
    # Names come from the facet statement's join; this only sees ids whose library has gone.
    return {}


DIMENSIONS: list[Dimension] = [
    ColumnDimension("resource_type", _("资源类型"), "resource_type", _resource_types),
    ColumnDimension("language", _("语种"), "language", _languages),
    ColumnDimension("year", _("出版年"), "year", _same, limit=30, integer=True),
    ColumnDimension("clc", _("中图法大类"), "clc", _clc, limit=len(CLC_CLASSES)),
    # Cataloguing library (编目馆), until holdings registers "library holding it" under its own key.
    ColumnDimension(
        "library", _("编目馆"), "library_id", _libraries, integer=True, label_join=(Library._meta.db_table, "name")
    ),
]


def register(dimension: Dimension) -> None:
    """Add a facet (or replace the one with the same key): the extension point for holdings."""
    DIMENSIONS[:] = [d for d in DIMENSIONS if d.key != dimension.key] + [dimension]


def dimension(key: str) -> Dimension:
    """Return the facet with this key, or refuse an unknown one."""
    for candidate in DIMENSIONS:
        if candidate.key == key:
            return candidate
    raise InvalidInput(f"Unknown facet: {key}", field="filters")
