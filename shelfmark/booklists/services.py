"""Writes to book lists: compose, change, order, publish and withdraw, each checked, locked and audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.booklists import access
from shelfmark.booklists.errors import EmptyListNotPublished, EntryNotFound, RecordAlreadyListed
from shelfmark.booklists.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    TITLE_MAX,
    AgeBand,
    BookList,
    BookListEntry,
    Kind,
)
from shelfmark.catalog.models import Record
from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.libraries.models import Library

__all__ = [
    "add_entry",
    "create_list",
    "move_entry",
    "publish",
    "remove_entry",
    "reorder",
    "set_note",
    "unpublish",
    "update_list",
]


@transaction.atomic
def create_list(
    *,
    library: Library,
    title: str,
    kind: str,
    actor: Any,
    description: str = "",
    age_band: str = "",
    now: datetime | None = None,
) -> BookList:
    """Start an unpublished list for `library`; only staff who may compose its lists may."""
    access.require_compose(actor, library)
    now = now or timezone.now()
    book_list = BookList.objects.create(
        title=_title(title),
        kind=_choice(kind, Kind, "kind"),
        library=library,
        age_band=_age_band(age_band, kind),
        description=_text(description, DESCRIPTION_MAX, "description"),
        created_by=_user(actor),
        created_at=now,
        updated_at=now,
    )
    events.record(
        "booklist.created",
        actor=actor,
        target=book_list,
        data={"title": book_list.title, "kind": book_list.kind, "library": library.code},
        now=now,
    )
    return book_list


@transaction.atomic
def update_list(
    *,
    book_list: BookList,
    actor: Any,
    title: str | None = None,
    description: str | None = None,
    age_band: str | None = None,
    now: datetime | None = None,
) -> BookList:
    """Change a list's title, description or age band (its kind and library stay what they were created as)."""
    book_list = _lock(book_list, actor)
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = _title(title)
    if description is not None:
        changes["description"] = _text(description, DESCRIPTION_MAX, "description")
    if age_band is not None:
        changes["age_band"] = _age_band(age_band, book_list.kind)
    changes = {name: value for name, value in changes.items() if getattr(book_list, name) != value}
    if not changes:
        return book_list
    now = now or timezone.now()
    for name, value in changes.items():
        setattr(book_list, name, value)
    book_list.updated_at = now
    book_list.save(update_fields=[*changes, "updated_at"])
    events.record("booklist.updated", actor=actor, target=book_list, data={"changed": sorted(changes)}, now=now)
    return book_list


@transaction.atomic
def add_entry(
    *, book_list: BookList, record: Record, actor: Any, note: str = "", now: datetime | None = None
) -> BookListEntry:
    """Put a title at the end of the list with the librarian's recommendation; a title is listed once."""
    book_list = _lock(book_list, actor)
    note = _text(note, NOTE_MAX, "note")
    if BookListEntry.objects.filter(book_list=book_list, record_id=record.pk).exists():
        raise RecordAlreadyListed(field="record", title=record.title)
    now = now or timezone.now()
    last = BookListEntry.objects.filter(book_list=book_list).aggregate(last=Max("position"))["last"] or 0
    entry = BookListEntry.objects.create(
        book_list=book_list, record=record, position=last + 1, note=note, added_by=_user(actor), added_at=now
    )
    _touch(book_list, now)
    events.record(
        "booklist.entry_added",
        actor=actor,
        target=book_list,
        data={"entry": entry.pk, "record": record.pk, "position": entry.position},
        now=now,
    )
    return entry


@transaction.atomic
def set_note(*, entry: BookListEntry, note: str, actor: Any, now: datetime | None = None) -> BookListEntry:
    """Change the recommendation words of one entry."""
    book_list = _lock(entry.book_list, actor)
    entry = _entry(book_list, entry.pk)
    entry.note = _text(note, NOTE_MAX, "note")
    now = now or timezone.now()
    entry.save(update_fields=["note"])
    _touch(book_list, now)
    events.record("booklist.note_changed", actor=actor, target=book_list, data={"entry": entry.pk}, now=now)
    return entry


@transaction.atomic
def remove_entry(*, entry: BookListEntry, actor: Any, now: datetime | None = None) -> None:
    """Take a title off the list; the titles after it move up one place."""
    book_list = _lock(entry.book_list, actor)
    entry = _entry(book_list, entry.pk)
    now = now or timezone.now()
    entry.delete()
    BookListEntry.objects.filter(book_list=book_list, position__gt=entry.position).update(position=F("position") - 1)
    _touch(book_list, now)
    events.record(
        "booklist.entry_removed",
        actor=actor,
        target=book_list,
        data={"entry": entry.pk, "record": entry.record_id, "position": entry.position},
        now=now,
    )


@transaction.atomic
def reorder(*, book_list: BookList, entry_ids: Sequence[int], actor: Any, now: datetime | None = None) -> BookList:
    """Put the list's entries in the order given; the ids must be exactly the list's entries, each once."""
    book_list = _lock(book_list, actor)
    entries = {entry.pk: entry for entry in BookListEntry.objects.filter(book_list=book_list)}
    wanted = [int(entry_id) for entry_id in entry_ids]
    if len(wanted) != len(set(wanted)) or set(wanted) != set(entries):
        raise InvalidInput(_("新的顺序必须恰好列出书单的每一个条目各一次。"), field="entries")
    now = now or timezone.now()
    moved = []
    for position, entry_id in enumerate(wanted, start=1):
        if entries[entry_id].position != position:
            entries[entry_id].position = position
            moved.append(entries[entry_id])
    if not moved:
        return book_list
    BookListEntry.objects.bulk_update(moved, ["position"])
    _touch(book_list, now)
    events.record("booklist.reordered", actor=actor, target=book_list, data={"entries": wanted}, now=now)
    return book_list


@transaction.atomic
def move_entry(*, entry: BookListEntry, offset: int, actor: Any, now: datetime | None = None) -> BookList:
    """Move one entry `offset` places (negative: up), stopping at either end of the list."""
    book_list = _lock(entry.book_list, actor)
    order = list(
        BookListEntry.objects.filter(book_list=book_list).order_by("position", "id").values_list("pk", flat=True)
    )
    if entry.pk not in order:
        raise EntryNotFound(field="entry", entry_id=entry.pk)
    here = order.index(entry.pk)
    there = min(max(here + offset, 0), len(order) - 1)
    order.insert(there, order.pop(here))
    return reorder(book_list=book_list, entry_ids=order, actor=actor, now=now)


@transaction.atomic
def publish(*, book_list: BookList, actor: Any, now: datetime | None = None) -> BookList:
    """Show the list to readers from now on; a list without titles is not published."""
    book_list = _lock(book_list, actor)
    if book_list.is_published:
        return book_list
    if not BookListEntry.objects.filter(book_list=book_list).exists():
        raise EmptyListNotPublished(title=book_list.title)
    now = now or timezone.now()
    book_list.is_published = True
    book_list.published_at = now
    book_list.updated_at = now
    book_list.save(update_fields=["is_published", "published_at", "updated_at"])
    events.record(
        "booklist.published", actor=actor, target=book_list, data={"library": book_list.library.code}, now=now
    )
    return book_list


@transaction.atomic
def unpublish(*, book_list: BookList, actor: Any, now: datetime | None = None) -> BookList:
    """Withdraw the list from readers; it stays, with its entries, for the staff to change or publish again."""
    book_list = _lock(book_list, actor)
    if not book_list.is_published:
        return book_list
    now = now or timezone.now()
    book_list.is_published = False
    book_list.updated_at = now
    book_list.save(update_fields=["is_published", "updated_at"])
    events.record(
        "booklist.unpublished", actor=actor, target=book_list, data={"library": book_list.library.code}, now=now
    )
    return book_list


def _lock(book_list: BookList, actor: Any) -> BookList:
    """Check the actor may compose the list's library, then lock the list row: every change of it queues here."""
    access.require_compose(actor, book_list.library)
    return BookList.objects.select_for_update().select_related("library").get(pk=book_list.pk)


def _entry(book_list: BookList, entry_id: int) -> BookListEntry:
    try:
        return BookListEntry.objects.get(pk=entry_id, book_list=book_list)
    except BookListEntry.DoesNotExist:
        raise EntryNotFound(field="entry", entry_id=entry_id) from None


def _touch(book_list: BookList, now: datetime) -> None:
    BookList.objects.filter(pk=book_list.pk).update(updated_at=now)


def _title(title: str) -> str:
    cleaned = " ".join((title or "").split())
    if not cleaned:
        raise InvalidInput(_("书单需要一个名称。"), field="title")
    return _text(cleaned, TITLE_MAX, "title")


def _text(text: str, limit: int, field: str) -> str:
    cleaned = (text or "").strip()
    if len(cleaned) > limit:
        raise InvalidInput(
            _("{name}有 {length} 个字，最多 {limit} 个。"),
            field=field,
            name=_label(field),
            length=len(cleaned),
            limit=limit,
        )
    return cleaned


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise InvalidInput(
            _("{name}不能是 {value}，只能是 {allowed} 之一。"),
            field=field,
            name=_label(field),
            value=repr(value),
            allowed="、".join(choices.values),
        )
    return value


def _age_band(age_band: str, kind: str) -> str:
    if not age_band:
        return ""
    _choice(age_band, AgeBand, "age_band")
    if kind != Kind.CHILDREN:
        raise InvalidInput(_("只有少儿书单才能设置适读年龄。"), field="age_band")
    return age_band


def _label(field: str) -> str:
    model = BookListEntry if field == "note" else BookList
    found = model._meta.get_field(field)
    return str(getattr(found, "verbose_name", field))


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
