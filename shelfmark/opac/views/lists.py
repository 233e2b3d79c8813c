"""Public lists: new arrivals (新书通报), borrowing rankings (借阅排行榜), staff picks and curated lists (书单).

Each page takes its choices from the query string, so a choice is a link to share or bookmark and the pages work
without script; htmx, when present, swaps only the results. A choice that names nothing (an unknown library,
class or period) answers 400 and says which.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shelfmark.booklists import selectors as booklists
from shelfmark.booklists.errors import BookListNotFound
from shelfmark.booklists.models import Kind
from shelfmark.core.errors import InvalidInput
from shelfmark.opac import lists_selectors as lists
from shelfmark.opac.templatetags.opac import place
from shelfmark.patrons.models import Category

PER_PAGE = 20
LISTS_SHOWN = 100


def page_number(value: str) -> int:
    """Read a page number from the query string, refusing anything but a positive integer by name."""
    if not value:
        return 1
    if not value.isdigit() or not 0 < int(value) <= 10_000:
        raise InvalidInput(_("页码必须是正整数。"), field="page")
    return int(value)


def library_choices() -> list[tuple[str, str]]:
    """(code, name) of every active library, indented by its depth in the tree, in the page's language."""
    return [(library.code, "\u3000" * library.depth + place(library)) for library in lists.libraries()]


def query(chosen: dict[str, Any], **changes: Any) -> str:
    """Return "?..." for the chosen filters with some changed, leaving out the empty ones."""
    merged = {**chosen, **changes}
    return "?" + urlencode({key: value for key, value in merged.items() if value not in ("", None)})


def _feed_links(kind: str, chosen: dict[str, Any], **url_args: Any) -> dict[str, str]:
    """The RSS and Atom addresses of a page's feed, with the page's filters."""
    filters = query({key: value for key, value in chosen.items() if key != "page"})
    filters = "" if filters == "?" else filters
    return {
        "rss": reverse(f"opac:{kind}_rss", kwargs=url_args) + filters,
        "atom": reverse(f"opac:{kind}_atom", kwargs=url_args) + filters,
    }


@require_GET
def new_arrivals(request: HttpRequest) -> HttpResponse:
    """Titles new to the network, or to a library and the libraries below it, by period and CLC class."""
    get = request.GET
    chosen = {
        "days": get.get("days", ""),
        "library": get.get("library", "")[:40],
        "class": get.get("class", "")[:10],
        "page": get.get("page", ""),
    }
    context: dict[str, Any] = {
        "chosen": chosen,
        "periods": lists.ARRIVAL_PERIODS,
        "classes": lists.CLC_CLASSES,
        "libraries": library_choices(),
        "titles": [],
    }
    try:
        days = lists.choice(chosen["days"], lists.ARRIVAL_PERIODS, lists.DEFAULT_ARRIVAL_DAYS, "days")
        library = lists.library_by_code(chosen["library"])
        clc = lists.clc_class(chosen["class"])
        page = page_number(chosen["page"])
    except InvalidInput as exc:
        return render(request, "opac/new_arrivals.html", {**context, "error": exc.message}, status=400)
    result = lists.new_arrivals(days=days, library=library, clc=clc, page=page, per_page=PER_PAGE)
    context.update(
        days=days,
        library=library,
        clc=clc,
        titles=result.titles,
        page=page,
        newer=query(chosen, page=page - 1 if page > 2 else "") if page > 1 else "",
        older=query(chosen, page=page + 1) if result.has_next else "",
        feeds=_feed_links("new_arrivals", chosen),
    )
    return render(request, "opac/new_arrivals.html", context)


@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    """The most borrowed titles of a period, by library (with those below it), reader category and CLC class."""
    get = request.GET
    chosen = {
        "period": get.get("period", "")[:20],
        "library": get.get("library", "")[:40],
        "category": get.get("category", "")[:20],
        "class": get.get("class", "")[:10],
    }
    context: dict[str, Any] = {
        "chosen": chosen,
        "periods": lists.RANKING_PERIODS,
        "categories": Category.choices,
        "classes": lists.CLC_CLASSES,
        "libraries": library_choices(),
        "titles": [],
    }
    try:
        period = lists.choice(chosen["period"], lists.RANKING_PERIODS, lists.DEFAULT_RANKING_PERIOD, "period")
        library = lists.library_by_code(chosen["library"])
        category = lists.reader_category(chosen["category"])
        clc = lists.clc_class(chosen["class"])
    except InvalidInput as exc:
        return render(request, "opac/rankings.html", {**context, "error": exc.message}, status=400)
    titles = lists.rankings(period=period, library=library, category=category, clc=clc)
    context.update(period=period, library=library, titles=titles)
    return render(request, "opac/rankings.html", context)


@require_GET
def book_lists(request: HttpRequest) -> HttpResponse:
    """The published staff picks, best-books lists and children's lists, newest first."""
    kind = request.GET.get("kind", "")[:20]
    if kind and kind not in Kind.values:
        context = {"kinds": Kind.choices, "kind": "", "book_lists": [], "error": _("没有这种书单。")}
        return render(request, "opac/lists.html", context, status=400)
    shown = list(booklists.published_lists(kind=kind)[:LISTS_SHOWN])
    return render(request, "opac/lists.html", {"kinds": Kind.choices, "kind": kind, "book_lists": shown})


@require_GET
def book_list(request: HttpRequest, list_id: int) -> HttpResponse:
    """One published list: its titles in order, the librarian's words on each, and where copies are on the shelf."""
    found = published_or_404(list_id)
    entries = list(booklists.entries(found))
    places = lists.availability([entry.record_id for entry in entries])
    context = {
        "book_list": found,
        "entries": [(entry, places.get(entry.record_id, [])) for entry in entries],
        "feeds": _feed_links("list", {}, list_id=found.pk),
    }
    return render(request, "opac/list.html", context)


def published_or_404(list_id: int) -> Any:
    try:
        return booklists.published_list(list_id)
    except BookListNotFound:
        raise Http404(_("没有这个书单，或者它还没有发布。")) from None
