"""Writes of the union catalogue: member sources, queued harvests and uploads, and cataloguers' decisions.

Harvesting and clustering themselves are `harvesting` and `clustering` (commands and background tasks call
them); the services here are what staff pages and the API call, each checking its permission through `access`.
"""

from __future__ import annotations

import uuid
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shelfmark.catalog.marc.extract import FORMATS
from shelfmark.catalog.marc.reading import ENCODINGS
from shelfmark.core import events
from shelfmark.core.errors import InvalidInput
from shelfmark.core.jobs import enqueue_on_commit
from shelfmark.libraries.models import Library
from shelfmark.union_catalog import access, errors
from shelfmark.union_catalog.models import (
    METADATA_PREFIXES,
    CandidatePair,
    Cluster,
    ClusterDecision,
    ClusterMember,
    HarvestRun,
    Source,
)

_UNCHANGED: Any = object()


def _check_source(
    *,
    way: str,
    base_url: str,
    prefixes: list[str],
    marc_format: str,
    encoding: str,
    schedule: str,
    schedule_time: time | None,
    schedule_weekday: int | None,
) -> None:
    if way not in Source.Way.values:
        raise InvalidInput(_("接入方式只能是 OAI-PMH 或 MARC 文件。"), field="way")
    if way == Source.Way.OAI_PMH:
        parts = urlsplit(base_url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(_("请填写 OAI-PMH 接口的 http(s) 地址。"), field="base_url")
        if not prefixes or any(prefix not in METADATA_PREFIXES for prefix in prefixes):
            raise InvalidInput(
                _("元数据格式只能是 {choices} 中的一个或几个，用逗号分隔。").format(
                    choices=", ".join(METADATA_PREFIXES)
                ),
                field="metadata_prefixes",
            )
    if marc_format not in FORMATS:
        raise InvalidInput(_("MARC 格式只能是 {choices}。").format(choices=", ".join(FORMATS)), field="marc_format")
    if encoding not in ENCODINGS:
        raise InvalidInput(_("字符编码只能是 {choices}。").format(choices=", ".join(ENCODINGS)), field="encoding")
    if schedule not in Source.Schedule.values:
        raise InvalidInput(_("收割计划只能是手动、每天或每周。"), field="schedule")
    if schedule != Source.Schedule.MANUAL and schedule_time is None:
        raise InvalidInput(_("定时收割需要填写收割时间。"), field="schedule_time")
    if schedule == Source.Schedule.WEEKLY and (schedule_weekday is None or not 0 <= schedule_weekday <= 6):
        raise InvalidInput(_("每周收割需要选择星期几。"), field="schedule_weekday")
    if schedule != Source.Schedule.MANUAL and way == Source.Way.FILE:
        raise InvalidInput(_("MARC 文件来源只能手动上传，不能定时收割。"), field="schedule")


@transaction.atomic
def save_source(
    *,
    library: Library,
    name: str,
    way: str,
    actor: Any,
    base_url: str = "",
    set_spec: str = "",
    metadata_prefixes: str = "marc21",
    marc_format: str = "auto",
    encoding: str = "auto",
    schedule: str = Source.Schedule.MANUAL,
    schedule_time: time | None = None,
    schedule_weekday: int | None = None,
    is_active: bool = True,
) -> Source:
    """Create a library's member source, or change it; the library is the source's code in the network tree."""
    access.require_manage(actor, library)
    prefixes = [prefix.strip() for prefix in (metadata_prefixes or "").split(",") if prefix.strip()]
    _check_source(
        way=way,
        base_url=base_url,
        prefixes=prefixes,
        marc_format=marc_format,
        encoding=encoding,
        schedule=schedule,
        schedule_time=schedule_time,
        schedule_weekday=schedule_weekday,
    )
    if not (name or "").strip():
        raise InvalidInput(_("请填写来源名称。"), field="name")
    values = {
        "name": name.strip()[:200],
        "way": way,
        "base_url": (base_url or "").strip(),
        "set_spec": (set_spec or "").strip(),
        "metadata_prefixes": ",".join(prefixes) or "marc21",
        "marc_format": marc_format,
        "encoding": encoding,
        "schedule": schedule,
        "schedule_time": schedule_time,
        "schedule_weekday": schedule_weekday if schedule == Source.Schedule.WEEKLY else None,
        "is_active": is_active,
    }
    source = Source.objects.select_for_update().filter(library=library).first()
    if source is None:
        source = Source.objects.create(library=library, **values)
        events.record("union_catalog.source_created", actor=actor, target=source, data={"code": library.code})
        return source
    changed = sorted(name for name, value in values.items() if getattr(source, name) != value)
    for attribute, value in values.items():
        setattr(source, attribute, value)
    source.save()
    events.record("union_catalog.source_changed", actor=actor, target=source, data={"changed": changed})
    return source


@transaction.atomic
def queue_harvest(*, source: Source, actor: Any, full: bool = False) -> None:
    """Harvest the source in the background once this transaction commits."""
    from shelfmark.union_catalog import tasks

    access.require_manage(actor, source.library)
    if source.way != Source.Way.OAI_PMH:
        raise errors.WrongWayIn(code=source.code, way=source.get_way_display())
    events.record("union_catalog.harvest_queued", actor=actor, target=source, data={"full": full})
    enqueue_on_commit(tasks.harvest_source, source.pk, full, getattr(actor, "pk", None))


def upload_dir() -> Path:
    """Where members' uploaded MARC files are kept (inside the data dir)."""
    path = Path(settings.MEDIA_ROOT) / "union"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def queue_file(*, source: Source, upload: UploadedFile, actor: Any, replace: bool = False) -> HarvestRun:
    """Store a member's uploaded MARC file and load it in the background once this transaction commits."""
    from shelfmark.union_catalog import tasks

    access.require_manage(actor, source.library)
    if source.way != Source.Way.FILE:
        raise errors.WrongWayIn(code=source.code, way=source.get_way_display())
    name = Path(upload.name or "upload.mrc").name
    stored = upload_dir() / f"{uuid.uuid4().hex}{Path(name).suffix[:10]}"
    with stored.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    run = HarvestRun.objects.create(
        source=source,
        file_name=name[:255],
        stored_path=str(stored),
        full=replace,
        replace=replace,
        actor=events.staff_user(actor),
    )
    events.record("union_catalog.file_queued", actor=actor, target=run, data={"file": name, "replace": replace})
    enqueue_on_commit(tasks.load_file, run.pk)
    return run


# --- decisions -------------------------------------------------------------------------------------------------


def _ordered(left: ClusterMember, right: ClusterMember) -> tuple[ClusterMember, ClusterMember]:
    return (left, right) if left.pk < right.pk else (right, left)


def _refresh(cluster_ids: set[int | None]) -> None:
    """Recount clusters and choose their preferred records again; delete the ones left empty."""
    from shelfmark.union_catalog.linkage import Node, preferred

    for cluster_id in sorted(found for found in cluster_ids if found is not None):
        members = list(
            ClusterMember.objects.filter(cluster_id=cluster_id, active=True).values_list(
                "id", "fullness", "record_id", "title", "isbn"
            )
        )
        if not members:
            Cluster.objects.filter(pk=cluster_id).delete()
            continue
        nodes = [
            Node(pk, (), "", "", "", "", None, "", "", score, record is not None) for pk, score, record, _, _ in members
        ]
        best = preferred(list(range(len(nodes))), nodes)
        isbn = next((row[4] for row in [members[best], *members] if row[4]), "")
        Cluster.objects.filter(pk=cluster_id).update(
            preferred_id=members[best][0], size=len(members), title=members[best][3], isbn=isbn
        )


def _pinned(left: ClusterMember, right: ClusterMember, kind: str, actor: Any, note: str) -> ClusterDecision:
    left, right = _ordered(left, right)
    decision, _created = ClusterDecision.objects.update_or_create(
        left=left, right=right, defaults={"kind": kind, "actor": events.staff_user(actor), "note": note[:200]}
    )
    CandidatePair.objects.filter(left=left, right=right).delete()
    return decision


@transaction.atomic
def merge(*, left: ClusterMember, right: ClusterMember, actor: Any, note: str = "") -> ClusterDecision:
    """Pin that two records are the same manifestation and put their clusters together now; later runs keep it."""
    access.require_decide(actor)
    if left.pk == right.pk:
        raise errors.DecisionRefused(reason=_("两边是同一条记录。"))
    locked = {m.pk: m for m in ClusterMember.objects.select_for_update().filter(pk__in=[left.pk, right.pk])}
    left, right = locked[left.pk], locked[right.pk]
    if not (left.active and right.active):
        raise errors.DecisionRefused(reason=_("成员馆已删除其中一条记录。"))
    keep, move = left.cluster_id, right.cluster_id
    if keep != move and keep is not None and move is not None:
        ours = ClusterMember.objects.filter(cluster_id=keep).values("id")
        theirs = ClusterMember.objects.filter(cluster_id=move).values("id")
        apart = ClusterDecision.objects.filter(kind=ClusterDecision.Kind.CANNOT_LINK).filter(
            Q(left_id__in=ours, right_id__in=theirs) | Q(left_id__in=theirs, right_id__in=ours)
        )
        conflict = apart.exclude(left_id=min(left.pk, right.pk), right_id=max(left.pk, right.pk)).first()
        if conflict is not None:
            raise errors.DecisionRefused(
                reason=_("已有馆员决定这两个聚类中的记录 {a} 与 {b} 是不同版本。").format(
                    a=conflict.left_id, b=conflict.right_id
                )
            )
    decision = _pinned(left, right, ClusterDecision.Kind.MUST_LINK, actor, note)
    if keep != move and keep is not None and move is not None:
        ClusterMember.objects.filter(cluster_id=move).update(cluster_id=keep)
        _refresh({keep, move})
    events.record(
        "union_catalog.merged", actor=actor, target=decision, data={"left": left.pk, "right": right.pk, "note": note}
    )
    return decision


@transaction.atomic
def keep_apart(*, left: ClusterMember, right: ClusterMember, actor: Any, note: str = "") -> ClusterDecision:
    """Pin that two records are different manifestations; when they share a cluster, `right` leaves it now."""
    access.require_decide(actor)
    if left.pk == right.pk:
        raise errors.DecisionRefused(reason=_("两边是同一条记录。"))
    locked = {m.pk: m for m in ClusterMember.objects.select_for_update().filter(pk__in=[left.pk, right.pk])}
    left, right = locked[left.pk], locked[right.pk]
    decision = _pinned(left, right, ClusterDecision.Kind.CANNOT_LINK, actor, note)
    if left.cluster_id is not None and left.cluster_id == right.cluster_id:
        _detach(right)
    events.record(
        "union_catalog.kept_apart",
        actor=actor,
        target=decision,
        data={"left": left.pk, "right": right.pk, "note": note},
    )
    return decision


def _detach(member: ClusterMember) -> None:
    old = member.cluster_id
    cluster = Cluster.objects.create(preferred=member, size=1, title=member.title, isbn=member.isbn)
    ClusterMember.objects.filter(pk=member.pk).update(cluster=cluster)
    member.cluster_id = cluster.pk
    _refresh({old, cluster.pk})


@transaction.atomic
def split_out(*, member: ClusterMember, actor: Any, note: str = "") -> list[ClusterDecision]:
    """Take a record out of its cluster: pin it apart from every other record there (dropping must-links among
    them), so later runs keep it out."""
    access.require_decide(actor)
    member = ClusterMember.objects.select_for_update().get(pk=member.pk)
    cluster_id = member.cluster_id
    others = list(ClusterMember.objects.filter(cluster_id=cluster_id).exclude(pk=member.pk)) if cluster_id else []
    if not others:
        raise errors.DecisionRefused(reason=_("这条记录已经单独成为一个聚类。"))
    ClusterDecision.objects.filter(kind=ClusterDecision.Kind.MUST_LINK).filter(
        Q(left=member, right__in=others) | Q(right=member, left__in=others)
    ).delete()
    decisions = [_pinned(member, other, ClusterDecision.Kind.CANNOT_LINK, actor, note) for other in others]
    _detach(member)
    events.record(
        "union_catalog.split",
        actor=actor,
        target=member,
        data={"apart_from": [other.pk for other in others], "note": note},
    )
    return decisions


@transaction.atomic
def forget(*, decision: ClusterDecision, actor: Any) -> None:
    """Drop a pinned decision: the next clustering run decides that pair by its scores again."""
    access.require_decide(actor)
    events.record(
        "union_catalog.decision_forgotten",
        actor=actor,
        target=decision,
        data={"kind": decision.kind, "left": decision.left_id, "right": decision.right_id},
    )
    decision.delete()
