"""Request and response shapes of the catalogue API (the OpenAPI schema is built from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from shelfmark.catalog.models import Record


class ErrorOut(Schema):
    """Every refusal: a stable code, a message naming what is at fault, and the field when there is one."""

    code: str
    message: str
    field: str | None = None


class RecordSummaryOut(Schema):
    """A record as lists and search hits show it: original script first, romanised form beside it."""

    id: int
    title: str
    title_romanized: str
    responsibility: str
    publisher: str
    year: int | None
    isbn: str
    clc_class: str
    resource_type: str
    marc_format: str
    library: str | None = Field(None, description="code of the cataloguing library; null for network-level")

    @staticmethod
    def resolve_library(obj: Record) -> str | None:
        return obj.library.code if obj.library_id and obj.library else None


class RecordOut(RecordSummaryOut):
    """A record with every extracted field; the full MARC record is at /records/{id}/marc."""

    control_number: str
    other_titles: list[Any]
    authors: list[Any]
    place: str
    isbns: list[str]
    issn: str
    other_classes: list[Any]
    subjects: list[Any]
    language: str
    is_local_document: bool
    is_legal_deposit: bool
    created_at: datetime
    updated_at: datetime


class RecordPageOut(Schema):
    total: int
    page: int
    per_page: int
    items: list[RecordSummaryOut]


class RecordIn(Schema):
    """A record to create or replace, given as MARC-in-JSON; the indexed fields are extracted from it."""

    marc: dict[str, Any] = Field(
        ...,
        description="MARC-in-JSON: {leader, fields: [{tag: value} | {tag: {ind1, ind2, subfields: [{code: value}]}}]}",
        examples=[
            {
                "leader": "00000nam  2200000   4500",
                "fields": [
                    {"001": "demo-1"},
                    {"245": {"ind1": "1", "ind2": "0", "subfields": [{"a": "辽宁地方志"}]}},
                ],
            }
        ],
    )
    marc_format: Literal["auto", "marc21", "cnmarc"] = "auto"
    library: str | None = Field(None, description="code of the cataloguing library; null for a network-level record")


class MarcOut(Schema):
    """The stored MARC record as MARC-in-JSON and as readable text (one line per field, $ before subfields)."""

    id: int
    marc_format: str
    marc: dict[str, Any]
    text: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    """One page of hits ranked exact title first, and the facets of all hits."""

    total: int
    total_exact: bool = Field(True, description="false when total was capped for a very broad query")
    page: int
    per_page: int
    hits: list[RecordSummaryOut]
    facets: dict[str, list[FacetValueOut]]
