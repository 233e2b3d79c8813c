"""Holdings endpoints under /api/v1/holdings/: scan, read, create and change items (staff session + CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth_is_staff
from pydantic import Field

from shelfmark.catalog.models import Record
from shelfmark.catalog.schemas import ErrorOut
from shelfmark.core.errors import InvalidInput, NotFound
from shelfmark.holdings import access, selectors, services
from shelfmark.holdings.models import Item
from shelfmark.holdings.schemas import (
    ItemIn,
    ItemOut,
    ItemPatch,
    LibraryAvailabilityOut,
    RecordItemsOut,
    StatusChangeOut,
)
from shelfmark.libraries.models import Library
from shelfmark.libraries.selectors import get_library

router = Router(tags=["holdings"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ScanIn(Schema):
    code: str = Field(..., min_length=1, max_length=500, description="a barcode, a QR code, or a QR payload URL")


@router.get("/items/scan", response={200: ItemOut, **ERRORS}, auth=django_auth_is_staff)
def scan_item(request: HttpRequest, params: Query[ScanIn]) -> Item:
    """Find the item a scanner read: its barcode, its QR code, or the URL its QR code encodes."""
    return access.find_item_for_view(request.user, params.code)


@router.get("/items/{item_id}", response={200: ItemOut, **ERRORS}, auth=django_auth_is_staff)
def read_item(request: HttpRequest, item_id: int) -> Item:
    """Return one item."""
    return access.get_item_for_view(request.user, item_id)


@router.get("/items/{item_id}/history", response={200: list[StatusChangeOut], **ERRORS}, auth=django_auth_is_staff)
def item_history(request: HttpRequest, item_id: int) -> list[Any]:
    """Return an item's status changes, oldest first."""
    item = access.get_item_for_view(request.user, item_id)
    return list(selectors.status_history(item))


@router.post("/items", response={201: ItemOut, **ERRORS}, auth=django_auth_is_staff)
def create_item(request: HttpRequest, payload: ItemIn) -> Status:
    """Add a copy of a record to a library (holdings.edit there); the barcode is generated when not given."""
    library = _library(payload.home_library)
    access.require_edit(request.user, library)
    record = _record(payload.record_id)
    item = services.create_item(
        record=record,
        home_library=library,
        actor=request.user,
        barcode=payload.barcode,
        item_type=payload.item_type,
        call_number=payload.call_number,
        price=payload.price,
        shelving_location=payload.shelving_location,
        status=payload.status,
    )
    return Status(201, selectors.get_item(item.pk))


@router.patch("/items/{item_id}", response={200: ItemOut, **ERRORS}, auth=django_auth_is_staff)
def update_item(request: HttpRequest, item_id: int, payload: ItemPatch) -> Item:
    """Change an item's call number, location, type, price or (by hand) status; holdings.edit at its library."""
    item = access.get_item_for_edit(request.user, item_id)
    given = payload.model_dump(exclude_unset=True)
    for name in ("call_number", "shelving_location", "item_type", "status"):
        if name in given and given[name] is None:
            raise InvalidInput(f"{name} cannot be null.", field=name)
    services.update_item(item=item, actor=request.user, **given)
    return selectors.get_item(item_id)


@router.get("/records/{record_id}/items", response={200: RecordItemsOut, **ERRORS}, auth=django_auth_is_staff)
def record_items(request: HttpRequest, record_id: int) -> RecordItemsOut:
    """List a record's copies and, per library where they are now, how many are on the shelf."""
    access.require_view(request.user)
    if not Record.objects.filter(pk=record_id).exists():
        raise NotFound(f"No record with id {record_id}.", field="record_id")
    places = [
        LibraryAvailabilityOut(
            library=place.library.code,
            library_name=place.library.name,
            total=place.total,
            available=place.available,
            statuses=place.statuses,
        )
        for place in selectors.availability(record_id)
    ]
    items = list(selectors.items_for_record(record_id))
    return RecordItemsOut(record_id=record_id, items=items, availability=places)  # type: ignore[arg-type]


def _library(code: str) -> Library:
    try:
        return get_library(code)
    except NotFound as exc:
        raise InvalidInput(exc.message, field="home_library") from None


def _record(record_id: int) -> Record:
    try:
        return Record.objects.only("id", "title").get(pk=record_id)
    except Record.DoesNotExist:
        raise InvalidInput(f"No record with id {record_id}.", field="record_id") from None
