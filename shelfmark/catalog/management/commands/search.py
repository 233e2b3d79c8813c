"""`shelfmark search "QUERY"`: search the catalogue from the console, as text or JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.selectors import SearchResult, search
from shelfmark.core.errors import DomainError


def hit_dict(record: Record) -> dict[str, Any]:
    """Return the fields a console or script needs to recognise a hit."""
    return {
        "id": record.pk,
        "title": record.title,
        "authors": list(record.authors or []),
        "year": record.year,
        "isbn": record.isbn,
    }


def result_dict(result: SearchResult) -> dict[str, Any]:
    """Return a search result as plain JSON data."""
    return {
        "query": result.query.as_dict(),
        "total": result.total,
        "total_exact": result.total_exact,
        "page": result.page,
        "per_page": result.per_page,
        "hits": [hit_dict(record) for record in result.hits],
        "facets": {
            key: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for key, values in result.facets.items()
        },
        "facets_exact": result.facets_exact,
    }


class Command(BaseCommand):
    help = 'Search the catalogue, e.g. shelfmark search "辽宁 year:2019-2021" [--json] [--page N]'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query", help='query: words, "phrases", title:, author:, isbn:, class:, year:')
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--per-page", type=int, default=20)
        parser.add_argument(
            "--filter", action="append", default=[], metavar="FACET=VALUE", help="narrow by a facet value"
        )
        parser.add_argument("--no-facets", action="store_true", help="skip facet counts")

    def handle(self, *args: Any, **options: Any) -> None:
        filters: dict[str, str] = {}
        for item in options["filter"]:
            key, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter needs FACET=VALUE, got {item!r}")
            filters[key] = value
        try:
            result = search(
                options["query"],
                page=options["page"],
                per_page=options["per_page"],
                facets=not options["no_facets"],
                filters=filters,
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from error
        if options["json"]:
            self.stdout.write(json.dumps(result_dict(result), ensure_ascii=False, indent=2))
            return
        self._print(result)

    def _print(self, result: SearchResult) -> None:
        more = "" if result.total_exact else "+"
        self.stdout.write(f"{result.total}{more} hits, page {result.page} of {max(result.pages, 1)}")
        for record in result.hits:
            authors = "; ".join(record.authors or [])
            year = record.year or ""
            self.stdout.write(f"{record.pk:>8}  {record.title}  {authors}  {year}  {record.isbn}".rstrip())
        for key, values in result.facets.items():
            if values:
                shown = ", ".join(f"{v.label} ({v.count})" for v in values)
                self.stdout.write(f"[{key}] {shown}")
