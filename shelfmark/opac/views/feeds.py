"""RSS 2.0 and Atom feeds of new arrivals (with the page's filters) and of each published book list.

Feed readers and other sites reuse them; every item links to the title's record page (/records/<id>/).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from shelfmark.booklists import selectors as booklists
from shelfmark.booklists.models import BookList, BookListEntry
from shelfmark.catalog.models import Record
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Library
from shelfmark.opac import lists_selectors as lists
from shelfmark.opac.templatetags.opac import place
from shelfmark.opac.views.lists import published_or_404, query

FEED_SIZE = 50


def _about(record: Record) -> str:
    parts = [record.responsibility or "；".join(record.authors), record.publisher, str(record.year or "")]
    if record.clc_class:
        parts.append(_("中图法分类号 {clc}").format(clc=record.clc_class))
    return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class ArrivalChoice:
    days: int
    library: Library | None
    clc: str
    filters: str


class NewArrivalsRss(Feed):
    """New arrivals as RSS 2.0; `?days=`, `?library=` and `?class=` choose as on the page."""

    feed_type: Any = Rss201rev2Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidInput as exc:
            return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> ArrivalChoice:
        get = request.GET
        chosen = {
            "days": get.get("days", ""),
            "library": get.get("library", "")[:40],
            "class": get.get("class", "")[:10],
        }
        filters = query(chosen)
        return ArrivalChoice(
            days=lists.choice(chosen["days"], lists.ARRIVAL_PERIODS, lists.DEFAULT_ARRIVAL_DAYS, "days"),
            library=lists.library_by_code(chosen["library"]),
            clc=lists.clc_class(chosen["class"]),
            filters="" if filters == "?" else filters,
        )

    def title(self, obj: ArrivalChoice) -> str:
        where = place(obj.library) if obj.library else _("全省图书馆网络")
        title = _("新书通报 · {where}").format(where=where)
        if obj.clc:
            title += f" · {obj.clc} {lists.CLC_CLASSES[obj.clc]}"
        return title

    def link(self, obj: ArrivalChoice) -> str:
        return reverse("opac:new_arrivals") + obj.filters

    def description(self, obj: ArrivalChoice) -> str:
        return _("近 {days} 天首次到馆的图书。").format(days=obj.days)

    def subtitle(self, obj: ArrivalChoice) -> str:
        return self.description(obj)

    def items(self, obj: ArrivalChoice) -> list[lists.Title]:
        return lists.new_arrivals(days=obj.days, library=obj.library, clc=obj.clc, per_page=FEED_SIZE).titles

    def item_title(self, item: lists.Title) -> str:
        return item.record.title

    def item_description(self, item: lists.Title) -> str:
        return _about(item.record)

    def item_link(self, item: lists.Title) -> str:
        return reverse("opac:record", args=[item.record.pk])

    def item_pubdate(self, item: lists.Title) -> datetime | None:
        return item.when


class NewArrivalsAtom(NewArrivalsRss):
    """New arrivals as Atom 1.0."""

    feed_type = Atom1Feed


class BookListRss(Feed):
    """One published list as RSS 2.0: its titles in order, the librarian's words as each item's description."""

    feed_type: Any = Rss201rev2Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> BookList:
        return published_or_404(kwargs["list_id"])

    def title(self, obj: BookList) -> str:
        return f"{obj.title} · {place(obj.library)}"

    def link(self, obj: BookList) -> str:
        return reverse("opac:list", args=[obj.pk])

    def description(self, obj: BookList) -> str:
        return obj.description or str(obj.get_kind_display())

    def subtitle(self, obj: BookList) -> str:
        return self.description(obj)

    def items(self, obj: BookList) -> list[BookListEntry]:
        return list(booklists.entries(obj)[: FEED_SIZE * 4])

    def item_title(self, item: BookListEntry) -> str:
        return item.record.title

    def item_description(self, item: BookListEntry) -> str:
        return item.note or _about(item.record)

    def item_link(self, item: BookListEntry) -> str:
        return reverse("opac:record", args=[item.record_id])

    def item_pubdate(self, item: BookListEntry) -> datetime:
        return item.added_at


class BookListAtom(BookListRss):
    """One published list as Atom 1.0."""

    feed_type = Atom1Feed
