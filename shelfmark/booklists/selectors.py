"""Reads of book lists for readers: only published lists, their entries in order, children's lists by age band."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from shelfmark.booklists.errors import BookListNotFound
from shelfmark.booklists.models import BookList, BookListEntry, Kind
from shelfmark.libraries.models import Library


def published_lists(*, kind: str = "", library: Library | None = None) -> QuerySet[BookList]:
    """Return the published lists, newest first, with their library and number of titles.

    With a library, the lists of that library and of the libraries below it.
    """
    lists = BookList.objects.filter(is_published=True).select_related("library").annotate(size=Count("entries"))
    if kind:
        lists = lists.filter(kind=kind)
    if library is not None:
        lists = lists.filter(library__path__startswith=library.path)
    return lists.order_by("-published_at", "-id")


def published_list(list_id: int) -> BookList:
    """Return a published list, or raise BookListNotFound (an unpublished list is not there for readers)."""
    try:
        return BookList.objects.select_related("library").get(pk=list_id, is_published=True)
    except BookList.DoesNotExist:
        raise BookListNotFound(field="id", list_id=list_id) from None


def entries(book_list: BookList) -> QuerySet[BookListEntry]:
    """Return a list's entries in order, each with its record (without the MARC)."""
    return (
        BookListEntry.objects.filter(book_list=book_list)
        .select_related("record")
        .defer("record__marc")
        .order_by("position", "id")
    )


def children_entries(*, per_band: int) -> dict[str, list[BookListEntry]]:
    """Return, per age band, the first titles of the published children's lists for that band, newest list first.

    A title recommended by several lists of a band appears once, with the newest list's words.
    """
    rows = (
        BookListEntry.objects.filter(book_list__is_published=True, book_list__kind=Kind.CHILDREN)
        .exclude(book_list__age_band="")
        .select_related("record", "book_list")
        .defer("record__marc")
        .order_by("-book_list__published_at", "-book_list_id", "position")
    )
    bands: dict[str, list[BookListEntry]] = {}
    seen: dict[str, set[int]] = {}
    for entry in rows:
        band = entry.book_list.age_band
        if entry.record_id in seen.setdefault(band, set()) or len(bands.get(band, [])) >= per_band:
            continue
        seen[band].add(entry.record_id)
        bands.setdefault(band, []).append(entry)
    return bands
