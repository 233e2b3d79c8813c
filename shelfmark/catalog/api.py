"""Catalogue API: staff read and write records (session + CSRF); anyone may search."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth_is_staff
from pydantic import Field

from shelfmark.catalog import access, services
from shelfmark.catalog.display import marc_text
from shelfmark.catalog.models import Record
from shelfmark.catalog.schemas import (
    ErrorOut,
    MarcOut,
    RecordIn,
    RecordOut,
    RecordPageOut,
    SearchOut,
)
from shelfmark.catalog.search import selectors as search_selectors
from shelfmark.core.errors import InvalidInput, NotFound
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import get_library

router = Router(tags=["catalog"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_PER_PAGE = 100


class PageIn(Schema):
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=MAX_PER_PAGE)


class SearchIn(PageIn):
    q: str = Field(
        "", max_length=500, description="words, pinyin, ISBN or field queries such as title:, year:2019-2021"
    )


@router.get("/records", response={200: RecordPageOut, **ERRORS}, auth=django_auth_is_staff)
def list_records(request: HttpRequest, paging: Query[PageIn]) -> RecordPageOut:
    """List records, newest last, one page at a time."""
    access.require_view(request.user)
    records = Record.objects.select_related("library").order_by("id")
    start = (paging.page - 1) * paging.per_page
    items = list(records[start : start + paging.per_page])
    return RecordPageOut(
        total=records.count(),
        page=paging.page,
        per_page=paging.per_page,
        items=items,  # type: ignore[arg-type]
    )


@router.post("/records", response={201: RecordOut, **ERRORS}, auth=django_auth_is_staff)
def create_record(request: HttpRequest, payload: RecordIn) -> Status:
    """Catalogue a new record from MARC-in-JSON at the given library (catalog.edit there)."""
    library = _library(payload.library)
    access.require_create(request.user, library)
    record = services.create_record(
        marc=payload.marc, marc_format=payload.marc_format, library=library, actor=request.user
    )
    return Status(201, record)


@router.get("/records/{record_id}", response={200: RecordOut, **ERRORS}, auth=django_auth_is_staff)
def read_record(request: HttpRequest, record_id: int) -> Record:
    """Return one record with its extracted fields."""
    return access.get_record_for_view(request.user, record_id)


@router.put("/records/{record_id}", response={200: RecordOut, **ERRORS}, auth=django_auth_is_staff)
def update_record(request: HttpRequest, record_id: int, payload: RecordIn) -> Record:
    """Replace a record's MARC (and move it to another library when both places allow it)."""
    record = access.get_record_for_edit(request.user, record_id)
    library = _library(payload.library)
    if library != record.library:
        access.require_create(request.user, library)
    return services.update_record(
        record=record, marc=payload.marc, marc_format=payload.marc_format, library=library, actor=request.user
    )


@router.delete("/records/{record_id}", response={204: None, **ERRORS}, auth=django_auth_is_staff)
def delete_record(request: HttpRequest, record_id: int) -> HttpResponse:
    """Delete a record (catalog.edit at its library)."""
    record = access.get_record_for_edit(request.user, record_id)
    services.delete_record(record=record, actor=request.user)
    return HttpResponse(status=204)


@router.get("/records/{record_id}/marc", response={200: MarcOut, **ERRORS}, auth=django_auth_is_staff)
def read_record_marc(request: HttpRequest, record_id: int) -> MarcOut:
    """Return the full MARC record as MARC-in-JSON and as readable text."""
    record = access.get_record_for_view(request.user, record_id)
    return MarcOut(id=record.pk, marc_format=record.marc_format, marc=record.marc, text=marc_text(record.marc))


@router.get("/search", response={200: SearchOut, **ERRORS}, auth=None)
def search(request: HttpRequest, params: Query[SearchIn]) -> SearchOut:
    """Search the catalogue (public): the same code as `shelfmark search`."""
    result = search_selectors.search(params.q, page=params.page, per_page=params.per_page)
    return SearchOut.model_validate(result, from_attributes=True)


def _library(code: str | None) -> Library | None:
    if code is None:
        return None
    try:
        return get_library(code)
    except NotFound as exc:
        raise InvalidInput(exc.message, field="library") from None
