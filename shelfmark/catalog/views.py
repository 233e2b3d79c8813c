"""Staff catalogue pages: record list with search and facets, record detail with MARC, MARC import."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shelfmark.accounts.views import staff_required
from shelfmark.catalog import access, tasks
from shelfmark.catalog.display import marc_lines
from shelfmark.catalog.forms import ImportForm
from shelfmark.catalog.models import ImportJob
from shelfmark.catalog.search import selectors as search_selectors
from shelfmark.catalog.search.facets import DIMENSIONS, FacetValue
from shelfmark.core.errors import DomainError, InvalidInput

PER_PAGE = 20


def render_refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a refused or missing object as a page with the error's status, not a server error."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return render(request, "catalog/refused.html", {"error": exc}, status=exc.status)

    return wrapper


@staff_required
@render_refusals
def record_list(request: HttpRequest) -> HttpResponse:
    """Search the catalogue (an empty query lists everything), with facets and paging."""
    access.require_view(request.user)
    q = request.GET.get("q", "").strip()[:500]
    page = _positive_int(request.GET.get("page"), 1)
    labels = {dimension.key: dimension.label for dimension in DIMENSIONS}
    filters = {name: request.GET[name][:100] for name in labels if request.GET.get(name)}
    try:
        result = search_selectors.search(q, page=page, per_page=PER_PAGE, facets=True, filters=filters)
    except InvalidInput as exc:  # a malformed query or facet value: say so above an empty list
        return render(
            request,
            "catalog/record_list.html",
            {"q": q, "error": exc.message, "total": 0, "page": 1, "pages": 1},
            status=400,
        )
    pages = max(1, -(-result.total // PER_PAGE))
    base = {"q": q, **filters} if q else dict(filters)
    context = {
        "q": q,
        "total": result.total,
        "total_exact": result.total_exact,
        "page": page,
        "hits": result.hits,
        "filters": filters,
        "facets": [
            (labels.get(name, name), [_facet_link(base, name, value, filters.get(name)) for value in values])
            for name, values in result.facets.items()
            if values
        ],
        "pages": pages,
        "previous_url": "?" + urlencode({**base, "page": page - 1}) if page > 1 else "",
        "next_url": "?" + urlencode({**base, "page": page + 1}) if page < pages else "",
    }
    return render(request, "catalog/record_list.html", context)


@staff_required
@render_refusals
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    """Show a record's fields (original script first, romanised after) and its MARC."""
    record = access.get_record_for_view(request.user, record_id)
    return render(request, "catalog/record_detail.html", {"record": record, "marc_lines": marc_lines(record.marc)})


@staff_required
@render_refusals
def import_upload(request: HttpRequest) -> HttpResponse:
    """Take a MARC file and its options, queue the import, and go to its progress page."""
    access.require_import_somewhere(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = tasks.queue_import(
            upload=form.cleaned_data["file"],
            library=form.cleaned_data["library"],
            options={key: form.cleaned_data[key] for key in ("marc_format", "encoding", "match")},
            actor=request.user,
        )
        return redirect("catalog:import_job", job_id=job.pk)
    recent = ImportJob.objects.filter(actor_id=request.user.pk)[:10]
    status = 400 if request.method == "POST" else 200
    return render(request, "catalog/import.html", {"form": form, "recent": recent}, status=status)


@staff_required
@render_refusals
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """Show one import: progress while it runs, then its counts and rejects."""
    job = access.get_import_job(request.user, job_id)
    return render(request, "catalog/import_job.html", {"job": job})


@staff_required
@render_refusals
def import_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """Return the status fragment the job page polls every second until the job ends."""
    job = access.get_import_job(request.user, job_id)
    return render(request, "catalog/partials/import_status.html", {"job": job})


def _positive_int(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() and int(text) > 0 else default


def _facet_link(base: dict[str, Any], name: str, value: FacetValue, chosen: str | None) -> tuple[FacetValue, str, bool]:
    """Return the value, the query string that toggles it (back to page one), and whether it is chosen."""
    active = chosen == value.value
    params = {key: val for key, val in base.items() if key != name}
    if not active:
        params[name] = value.value
    return value, "?" + urlencode(params), active
