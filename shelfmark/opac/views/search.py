"""Public catalogue search: results with copies per library, facets, sort, paging and "did you mean"; suggestions
as you type (an htmx listbox, or OpenSearch suggestions JSON); the OpenSearch description.

Bad input (a query too long or with control characters, an unknown sort, a page out of range, a facet value that
is not one) gets the page back with the field named and status 400, never a server error.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shelfmark.catalog.search import selectors as search_selectors
from shelfmark.catalog.search.facets import DIMENSIONS, FacetValue
from shelfmark.core.errors import InvalidInput
from shelfmark.opac import discovery
from shelfmark.patrons.auth import current_patron

PER_PAGE = 10
MAX_QUERY = 200
MAX_FILTER = 100
# Pages beyond the count cap hold nothing: the total never says more than COUNT_CAP.
MAX_PAGE = search_selectors.COUNT_CAP // PER_PAGE
SUGGEST_MIN = 1
SUGGESTIONS = 8
# The facets a reader narrows by, in the order the page shows them; the cataloguing library is for staff.
PUBLIC_FACETS = ("holding_library", "resource_type", "clc", "language", "year")
# Values shown per facet (the most frequent), so a phone's page stays short; CLC main classes are all shown.
FACET_VALUES = {"clc": 22, "year": 12}
FACET_VALUES_DEFAULT = 15
SUGGESTIONS_JSON = "application/x-suggestions+json"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Asked:
    """What the reader asked for, checked: the query, page, sort and facet filters."""

    q: str
    page: int
    sort: str
    filters: dict[str, str]

    def link(self, **changes: Any) -> str:
        """Return the query string of this search with some parts changed (None drops one); page 1 is left out."""
        params: dict[str, Any] = {"q": self.q, **self.filters, "sort": self.sort, "page": self.page, **changes}
        if params.get("sort") == search_selectors.RELEVANCE:
            params.pop("sort")
        if params.get("page") == 1:
            params.pop("page")
        return "?" + urlencode({key: value for key, value in params.items() if value not in (None, "")})


class BadInput(Exception):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def read_query(text: str) -> str:
    """Return the query as typed (spaces trimmed), or refuse one that is too long or holds control characters."""
    q = text.strip()
    if len(q) > MAX_QUERY:
        raise BadInput(_("检索词太长：最多 {limit} 个字，请缩短后再试。").format(limit=MAX_QUERY), "q")
    if _CONTROL.search(q):
        raise BadInput(_("检索词中有无法识别的字符，请重新输入。"), "q")
    return q


def _asked(params: QueryDict) -> Asked:
    q = read_query(params.get("q", ""))
    page_text = params.get("page", "1").strip() or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= MAX_PAGE:
        raise BadInput(_("页码应是 1 到 {last} 之间的数字。").format(last=MAX_PAGE), "page")
    sort = params.get("sort", search_selectors.RELEVANCE) or search_selectors.RELEVANCE
    if sort not in search_selectors.SORTS:
        raise BadInput(_("不认识这种排序方式。"), "sort")
    keys = {dimension.key for dimension in DIMENSIONS}
    filters = {}
    for key in keys:
        value = params.get(key, "").strip()
        if value:
            if len(value) > MAX_FILTER or _CONTROL.search(value):
                raise BadInput(_("筛选条件无效。"), key)
            filters[key] = value
    return Asked(q=q, page=int(page_text), sort=sort, filters=filters)


def _facets(asked: Asked, found: dict[str, list[FacetValue]]) -> list[dict[str, Any]]:
    """Return the facets to show, each value with the link that toggles it (keeping the query and sort)."""
    labels = {dimension.key: dimension.label for dimension in DIMENSIONS}
    shown = []
    for key in PUBLIC_FACETS:
        values = found.get(key) or []
        if not values:
            continue
        chosen = asked.filters.get(key)
        links = []
        for value in values[: FACET_VALUES.get(key, FACET_VALUES_DEFAULT)]:
            active = chosen == value.value
            link = asked.link(page=1, **{key: None if active else value.value})
            links.append((value.label, value.count, link, active))
        shown.append({"key": key, "label": labels.get(key, key), "values": links, "chosen": chosen is not None})
    return shown


def _sorts(asked: Asked) -> list[dict[str, Any]]:
    names = {
        search_selectors.RELEVANCE: _("相关度"),
        search_selectors.NEWEST: _("出版年（新到旧）"),
        search_selectors.TITLE: _("题名"),
    }
    return [
        {"value": value, "label": names[value], "link": asked.link(sort=value, page=1), "active": value == asked.sort}
        for value in search_selectors.SORTS
    ]


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search the catalogue for anyone: results with copies on the shelf per library, facets, sort and paging."""
    context: dict[str, Any] = {"reader": current_patron(request), "q": request.GET.get("q", "")[:MAX_QUERY]}
    try:
        asked = _asked(request.GET)
    except BadInput as exc:
        context.update(error=exc.message, error_field=exc.field)
        return render(request, "opac/search.html", context, status=400)
    context.update(asked=asked, q=asked.q, sorts=_sorts(asked))
    if not asked.q and not asked.filters:
        return render(request, "opac/search.html", context)
    try:
        result = search_selectors.search(
            asked.q, page=asked.page, per_page=PER_PAGE, facets=True, filters=asked.filters, sort=asked.sort
        )
    except InvalidInput as exc:
        message = _("筛选条件无效。") if exc.field in asked.filters else _("无法理解这个检索词，请换一种写法。")
        context.update(error=message, error_field=exc.field)
        return render(request, "opac/search.html", context, status=400)
    pages = max(1, result.pages)
    context.update(
        searched=True,
        result=result,
        hits=discovery.with_availability(result.hits),
        facets=_facets(asked, result.facets),
        pages=min(pages, MAX_PAGE),
        first_shown=(asked.page - 1) * PER_PAGE + 1,
        previous_link=asked.link(page=asked.page - 1) if asked.page > 1 else "",
        next_link=asked.link(page=asked.page + 1) if asked.page < min(pages, MAX_PAGE) else "",
    )
    if asked.q and not asked.filters and result.total < discovery.NEAR_MISS_BELOW:
        context["near_misses"] = [
            {"near": near, "link": Asked(q=near.text, page=1, sort=asked.sort, filters={}).link()}
            for near in discovery.near_misses(asked.q)
        ]
    return render(request, "opac/search.html", context)


def _wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return SUGGESTIONS_JSON in accept or "application/json" in accept or request.GET.get("format") == "json"


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """Suggest titles and names as the reader types: an htmx listbox, or OpenSearch suggestions JSON."""
    wants_json = _wants_json(request)
    try:
        q = read_query(request.GET.get("q", ""))
    except BadInput as exc:
        if wants_json:
            refusal = {"code": "invalid_input", "message": exc.message, "field": exc.field}
            return HttpResponse(json.dumps(refusal, ensure_ascii=False), status=400, content_type="application/json")
        return render(request, "opac/partials/suggest_error.html", {"error": exc.message}, status=400)
    found = discovery.suggestions(q, limit=SUGGESTIONS) if len(q) >= SUGGEST_MIN else []
    if wants_json:
        search_url = request.build_absolute_uri(reverse("opac:search"))
        kinds = {"t": _("题名"), "a": _("责任者")}
        body: list[Any] = [
            q,
            [term.label for term in found],
            [str(kinds.get(term.kind, "")) for term in found],
            [f"{search_url}?{urlencode({'q': term.label})}" for term in found],
        ]
        content_type = SUGGESTIONS_JSON if SUGGESTIONS_JSON in request.headers.get("Accept", "") else "application/json"
        return HttpResponse(json.dumps(body, ensure_ascii=False), content_type=f"{content_type}; charset=utf-8")
    return render(request, "opac/partials/suggest.html", {"q": q, "suggestions": found})


@require_GET
def opensearch(request: HttpRequest) -> HttpResponse:
    """Describe the catalogue search for browsers and other sites (OpenSearch 1.1, with suggestions)."""
    context = {
        "search_url": request.build_absolute_uri(reverse("opac:search")),
        "suggest_url": request.build_absolute_uri(reverse("opac:suggest")),
        "self_url": request.build_absolute_uri(reverse("opac:opensearch")),
    }
    return render(request, "opac/opensearch.xml", context, content_type="application/opensearchdescription+xml")
