"""Writes to the joint local-document collection: register, update and withdraw, each checked, locked and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shelfmark.alliance import access
from shelfmark.alliance.errors import LocalDocumentAlreadyRegistered, LocalDocumentWithdrawn
from shelfmark.alliance.models import CITATION_MAX, SUBJECTS_MAX, LocalDocument, Region
from shelfmark.catalog.models import Record
from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.core.events import staff_user
from shelfmark.libraries.models import Library

__all__ = ["register_local_document", "update_local_document", "withdraw_local_document"]

EARLIEST_YEAR = 1000
SUBJECT_MAX = 100
_UNSET: Any = object()


@transaction.atomic
def register_local_document(
    *,
    library: Library,
    region: Region,
    year_from: int,
    actor: Any,
    year_to: int | None = None,
    record: Record | None = None,
    citation: str = "",
    subjects: Iterable[str] = (),
    is_legal_deposit: bool = False,
    received_on: date | None = None,
    now: datetime | None = None,
) -> LocalDocument:
    """Register a local document `library` holds (or received as legal deposit), documenting `region` over
    year_from–year_to; a catalogued document is named by its record, an uncatalogued one by a brief citation."""
    access.require_edit(actor, library)
    now = now or timezone.now()
    citation = _citation(citation, record)
    years = _years(year_from, year_from if year_to is None else year_to, now)
    document = LocalDocument(
        library=library,
        record=record,
        citation=citation,
        region=_region(region),
        subjects=_subjects(subjects),
        year_from=years[0],
        year_to=years[1],
        is_legal_deposit=bool(is_legal_deposit),
        received_on=_received_on(received_on, is_legal_deposit, now),
        created_by=staff_user(actor),
        created_at=now,
        updated_at=now,
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # The partial unique constraint decides, so two librarians registering at once cannot both succeed.
        assert record is not None
        raise LocalDocumentAlreadyRegistered(field="record", library=library.name, title=record.title) from None
    events.record(
        "alliance.local_document_registered",
        actor=actor,
        target=document,
        data={
            "library": library.code,
            "region": document.region.code,
            "record": record.pk if record else None,
            "years": [document.year_from, document.year_to],
            "legal_deposit": document.is_legal_deposit,
        },
        now=now,
    )
    return document


@transaction.atomic
def update_local_document(
    *,
    document: LocalDocument,
    actor: Any,
    region: Region = _UNSET,
    year_from: int = _UNSET,
    year_to: int = _UNSET,
    citation: str = _UNSET,
    subjects: Iterable[str] = _UNSET,
    is_legal_deposit: bool = _UNSET,
    received_on: date | None = _UNSET,
    now: datetime | None = None,
) -> LocalDocument:
    """Change what a registered document documents or how it was received; its library and record stay."""
    document = _lock(document, actor)
    now = now or timezone.now()
    wanted: dict[str, Any] = {}
    if region is not _UNSET:
        wanted["region"] = _region(region)
    if year_from is not _UNSET or year_to is not _UNSET:
        first = document.year_from if year_from is _UNSET else year_from
        last = document.year_to if year_to is _UNSET else year_to
        wanted["year_from"], wanted["year_to"] = _years(first, last, now)
    if citation is not _UNSET:
        wanted["citation"] = _citation(citation, document.record)
    if subjects is not _UNSET:
        wanted["subjects"] = _subjects(subjects)
    deposit = document.is_legal_deposit if is_legal_deposit is _UNSET else bool(is_legal_deposit)
    if is_legal_deposit is not _UNSET:
        wanted["is_legal_deposit"] = deposit
    if received_on is not _UNSET or is_legal_deposit is not _UNSET:
        wanted["received_on"] = _received_on(
            document.received_on if received_on is _UNSET else received_on, deposit, now
        )
    changed = sorted(name for name, value in wanted.items() if getattr(document, name) != value)
    if not changed:
        return document
    for name in changed:
        setattr(document, name, wanted[name])
    document.updated_at = now
    document.save(update_fields=[*changed, "updated_at"])
    events.record("alliance.local_document_updated", actor=actor, target=document, data={"changed": changed}, now=now)
    return document


@transaction.atomic
def withdraw_local_document(
    *, document: LocalDocument, actor: Any, reason: str = "", now: datetime | None = None
) -> LocalDocument:
    """Take a document out of the collection (registered in error, or no longer held); the row stays for the record."""
    document = _lock(document, actor)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise InvalidInput(_("撤销原因有 {length} 个字，最多 200 个。"), field="reason", length=len(reason))
    document.withdrawn_at = now
    document.withdrawn_reason = reason
    document.updated_at = now
    document.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    events.record(
        "alliance.local_document_withdrawn",
        actor=actor,
        target=document,
        data={"library": document.library.code, "reason": reason},
        now=now,
    )
    return document


def _lock(document: LocalDocument, actor: Any) -> LocalDocument:
    """Check the actor may edit the document's library, then lock its row; a withdrawn document stays as it is."""
    access.require_edit(actor, document.library)
    locked = (
        LocalDocument.objects.select_for_update(of=("self",))
        .select_related("library", "region", "record")
        .get(pk=document.pk)
    )
    if locked.withdrawn_at is not None:
        raise LocalDocumentWithdrawn(field="document")
    return locked


def _citation(citation: str, record: Record | None) -> str:
    cleaned = (citation or "").strip()
    if not cleaned and record is None:
        raise InvalidInput(_("未编目的地方文献需要填写简要著录（题名、责任者、出版信息）。"), field="citation")
    if len(cleaned) > CITATION_MAX:
        raise InvalidInput(
            _("简要著录有 {length} 个字，最多 {limit} 个。"), field="citation", length=len(cleaned), limit=CITATION_MAX
        )
    return cleaned


def _years(year_from: Any, year_to: Any, now: datetime) -> tuple[int, int]:
    latest = timezone.localtime(now).year + 1
    checked = []
    for field, value in (("year_from", year_from), ("year_to", year_to)):
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise InvalidInput(_("年份 {value} 不是一个整数年份。"), field=field, value=repr(value)) from None
        if not EARLIEST_YEAR <= year <= latest:
            raise InvalidInput(
                _("年份 {year} 不在 {earliest} 到 {latest} 之间。"),
                field=field,
                year=year,
                earliest=EARLIEST_YEAR,
                latest=latest,
            )
        checked.append(year)
    if checked[0] > checked[1]:
        raise InvalidInput(_("起始年 {first} 晚于截止年 {last}。"), field="year_to", first=checked[0], last=checked[1])
    return checked[0], checked[1]


def _region(region: Region | None) -> Region:
    if region is None or not region.is_active:
        raise InvalidInput(_("请选择一个启用的行政区划。"), field="region")
    return region


def _subjects(subjects: Iterable[str]) -> list[str]:
    if isinstance(subjects, str):
        subjects = subjects.replace("；", ";").split(";")
    cleaned: list[str] = []
    for subject in subjects:
        text = " ".join(str(subject).split())
        if not text or text in cleaned:
            continue
        if len(text) > SUBJECT_MAX:
            raise InvalidInput(
                _("主题“{subject}”超过 {limit} 个字。"), field="subjects", subject=text[:20], limit=SUBJECT_MAX
            )
        cleaned.append(text)
    if len(cleaned) > SUBJECTS_MAX:
        raise InvalidInput(_("主题最多 {limit} 个。"), field="subjects", limit=SUBJECTS_MAX)
    return cleaned


def _received_on(received_on: date | None, is_legal_deposit: bool, now: datetime) -> date | None:
    if received_on is None:
        if is_legal_deposit:
            raise InvalidInput(_("呈缴本需要填写接收日期。"), field="received_on")
        return None
    if received_on > timezone.localtime(now).date():
        raise InvalidInput(_("接收日期 {day} 还没有到。"), field="received_on", day=received_on.isoformat())
    return received_on
