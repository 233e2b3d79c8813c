"""The children's view (少儿): age-banded collections on simpler pages with big covers and short text.

A band holds first the titles librarians put on published children's lists for that age, then the titles whose
CLC class speaks to it (the rule is in `booklists.rules`).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shelfmark.booklists.models import AgeBand
from shelfmark.core.errors import InvalidInput
from shelfmark.opac import lists_selectors as lists
from shelfmark.opac.views.lists import page_number, query

PER_PAGE = 24


@require_GET
def children(request: HttpRequest) -> HttpResponse:
    """Every age band with its first few titles."""
    return render(request, "opac/children.html", {"bands": lists.children_bands(), "band": None})


@require_GET
def children_band(request: HttpRequest, band: str) -> HttpResponse:
    """One age band's titles, page by page."""
    labels = dict(AgeBand.choices)
    try:
        page = page_number(request.GET.get("page", ""))
        result = lists.children_band(band, page=page, per_page=PER_PAGE)
    except InvalidInput as exc:
        refused: dict[str, Any] = {"bands": [], "band": None, "error": exc.message}
        return render(request, "opac/children.html", refused, status=404 if band not in labels else 400)
    context: dict[str, Any] = {
        "band": band,
        "band_label": labels[band],
        "titles": result.titles,
        "page": page,
        "newer": query({}, page=page - 1 if page > 2 else "") if page > 1 else "",
        "older": query({}, page=page + 1) if result.has_next else "",
        "bands": [{"value": value, "label": label} for value, label in AgeBand.choices],
    }
    return render(request, "opac/children.html", context)
