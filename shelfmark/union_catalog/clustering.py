"""A clustering run: bring our catalogue's members up to date, link every active member, and write what changed.

Every run links the whole union catalogue again from the match keys stored on the members (`linkage`): keys are
kept current incrementally (a member's record gets its keys when it is harvested or loaded; our catalogue's
records when they are new or changed since their keys were taken), and linking the stored keys is fast enough to
do in full (bench/union.py measures it). Only what changed is written: members that moved, clusters whose size
or preferred record changed, new and emptied clusters. A cluster keeps its id when most of its members stay
together, so links to it stay valid. `full=True` also re-reads every member's keys from its MARC (after the
folding rules change).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from shelfmark.catalog.marc.extract import extract
from shelfmark.catalog.marc.writing import record_from_dict
from shelfmark.catalog.models import Record
from shelfmark.core import events
from shelfmark.union_catalog import bulk, linkage
from shelfmark.union_catalog.keys import match_keys
from shelfmark.union_catalog.loading import _KEY_COLUMNS
from shelfmark.union_catalog.models import (
    CandidatePair,
    Cluster,
    ClusterDecision,
    ClusterMember,
    ClusterRun,
    SourceRecord,
)

CHUNK = 2000
CANDIDATES_KEPT = 50_000
Progress = Callable[[str], None]


@dataclass
class Summary:
    """What a run did."""

    members: int
    clusters: int
    changed: int
    links: int
    candidates: int
    seconds: float
    run: ClusterRun

    def line(self) -> str:
        return (
            f"members={self.members} clusters={self.clusters} changed={self.changed} links={self.links}"
            f" candidates={self.candidates} seconds={self.seconds:.1f}"
        )


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def sync_catalogue(*, full: bool = False) -> tuple[int, set[int]]:
    """Give new and changed catalogue records fresh keys and drop the members whose record is gone; return how
    many were keyed and the clusters the dropped ones were in."""
    gone = dict(
        ClusterMember.objects.filter(record_id__isnull=False)
        .exclude(record_id__in=Record.objects.values("id"))
        .values_list("id", "cluster_id")
    )
    for chunk in _chunks(list(gone)):
        ClusterMember.objects.filter(pk__in=chunk).delete()
    stale = (
        Record.objects.all()
        if full
        else Record.objects.filter(Q(union_member__isnull=True) | Q(updated_at__gt=F("union_member__keys_from")))
    )
    ids = list(stale.values_list("id", flat=True))
    keyed = 0
    for chunk in _chunks(ids):
        with transaction.atomic():
            records = list(Record.objects.filter(pk__in=chunk))
            existing = dict(ClusterMember.objects.filter(record_id__in=chunk).values_list("record_id", "id"))
            inserts, updates = [], []
            for record in records:
                keys = match_keys(record)
                values = [bulk.adapt(getattr(keys, name), _field(name)) for name in _KEY_COLUMNS]
                stamp = bulk.adapt(record.updated_at, _field("keys_from"))
                if record.pk in existing:
                    updates.append([existing[record.pk], *values, stamp, True])
                else:
                    inserts.append([record.pk, *values, stamp, True])
            bulk.update(ClusterMember, (*_KEY_COLUMNS, "keys_from", "active"), updates)
            ids_for_new = bulk.reserve_ids(ClusterMember, len(inserts))
            bulk.insert(
                ClusterMember,
                ("id", "record_id", *_KEY_COLUMNS, "keys_from", "active"),
                [[member_id, *row] for member_id, row in zip(ids_for_new, inserts, strict=True)],
            )
            keyed += len(records)
    return keyed, {cluster for cluster in gone.values() if cluster is not None}


def rekey_source_records() -> int:
    """Re-read every live member record's keys from its MARC (the keys' rules changed); return how many."""
    ids = list(
        ClusterMember.objects.filter(source_record__isnull=False, active=True).values_list("id", "source_record_id")
    )
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = dict(ids[start : start + CHUNK])
        by_record = {record_id: member_id for member_id, record_id in chunk.items()}
        rows = []
        for record_id, marc_format, marc in SourceRecord.objects.filter(pk__in=list(by_record)).values_list(
            "id", "marc_format", "marc"
        ):
            try:
                values = extract(record_from_dict(marc), marc_format=marc_format or "auto")
            except Exception:  # a record that landed once stays readable; if not, its old keys stay
                continue
            keys = match_keys(values)
            rows.append(
                [by_record[record_id], *[bulk.adapt(getattr(keys, name), _field(name)) for name in _KEY_COLUMNS]]
            )
        with transaction.atomic():
            bulk.update(ClusterMember, _KEY_COLUMNS, rows)
        done += len(rows)
    return done


def _field(name: str) -> Any:
    return next(f for f in ClusterMember._meta.concrete_fields if f.attname == name)


def load_nodes() -> list[linkage.Node]:
    """Read every active member's keys, in id order."""
    columns = (
        "id",
        "isbns",
        "title_key",
        "author_key",
        "responsibility_key",
        "publisher_key",
        "year",
        "volume",
        "edition",
        "fullness",
        "record_id",
        "cluster_id",
    )
    nodes = []
    rows = ClusterMember.objects.filter(active=True).order_by("id").values_list(*columns)
    for (
        member_id,
        isbns,
        title,
        author,
        responsibility,
        publisher,
        year,
        volume,
        edition,
        score,
        record_id,
        cluster,
    ) in rows.iterator(chunk_size=10_000):
        nodes.append(
            linkage.Node(
                member_id,
                tuple(isbns or ()),
                title,
                author,
                responsibility,
                publisher,
                year,
                volume,
                edition,
                score,
                record_id is not None,
                cluster,
            )
        )
    return nodes


def _decisions(index_of: dict[int, int]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    must: list[tuple[int, int]] = []
    cannot: list[tuple[int, int]] = []
    for kind, left, right in ClusterDecision.objects.order_by("id").values_list("kind", "left_id", "right_id"):
        if left in index_of and right in index_of:
            pair = (index_of[left], index_of[right])
            (must if kind == ClusterDecision.Kind.MUST_LINK else cannot).append(pair)
    return must, cannot


def run(
    *, full: bool = False, actor: Any = None, progress: Progress | None = None, now: datetime | None = None
) -> Summary:
    """Cluster the union catalogue: our records' keys, linkage of every active member, changes written."""
    started = time.perf_counter()
    stamp = now or timezone.now()
    say = progress or (lambda message: None)
    if full:
        say(f"re-keyed {rekey_source_records()} member records")
    keyed, dropped = sync_catalogue(full=full)
    say(f"catalogue records keyed={keyed}, clusters of deleted ones={len(dropped)}")
    nodes = load_nodes()
    say(f"members loaded={len(nodes)}")
    index_of = {node.member_id: i for i, node in enumerate(nodes)}
    must, cannot = _decisions(index_of)
    result = linkage.link(nodes, must_link=must, cannot_link=cannot)
    say(f"linked pairs={result.links} candidates={len(result.candidates)}")
    with transaction.atomic():
        changed, clusters = _write(nodes, result, stamp, dropped)
        CandidatePair.objects.all().delete()
        kept = result.candidates[:CANDIDATES_KEPT]
        bulk.insert(
            CandidatePair,
            ("left_id", "right_id", "score", "reason"),
            [
                [nodes[pair.left].member_id, nodes[pair.right].member_id, round(pair.score, 4), pair.reason]
                for pair in kept
            ],
        )
        seconds = time.perf_counter() - started
        record = ClusterRun.objects.create(
            full=full,
            members=len(nodes),
            clusters=clusters,
            changed=changed,
            linked_pairs=result.links,
            candidates=len(kept),
            seconds=round(seconds, 3),
            started_at=stamp,
            finished_at=timezone.now(),
        )
        events.record(
            "union_catalog.clustered", actor=actor, target=record, data={"changed": changed, "clusters": clusters}
        )
    return Summary(len(nodes), clusters, changed, result.links, len(kept), seconds, record)


def _write(nodes: list[linkage.Node], result: linkage.Result, now: datetime, dropped: set[int]) -> tuple[int, int]:
    """Write the groups as clusters, keeping ids where members stay together; return (members moved, clusters)."""
    groups: dict[int, list[int]] = defaultdict(list)
    for index, root in enumerate(result.group_of):
        groups[root].append(index)
    # The biggest groups choose first among the clusters their members were in.
    taken: set[int] = set()
    target: dict[int, int | None] = {}
    for root, members in sorted(groups.items(), key=lambda item: -len(item[1])):
        votes = Counter(nodes[i].cluster_id for i in members if nodes[i].cluster_id is not None)
        chosen = next(
            (cluster for cluster, _ in sorted(votes.items(), key=lambda v: (-v[1], v[0])) if cluster not in taken), None
        )
        if chosen is not None:
            taken.add(chosen)
        target[root] = chosen
    new_roots = [root for root, cluster in target.items() if cluster is None]
    for root, new_id in zip(new_roots, bulk.reserve_ids(Cluster, len(new_roots)), strict=True):
        target[root] = new_id
    current = {
        row[0]: row[1:]
        for row in Cluster.objects.filter(pk__in=list(taken)).values_list("id", "preferred_id", "size", "isbn")
    }
    stamp = bulk.adapt(now, Cluster._meta.get_field("updated_at"))
    inserts, updates = [], []
    for root, members in groups.items():
        cluster_id = target[root]
        assert cluster_id is not None
        best = linkage.preferred(members, nodes)
        isbn = next((nodes[i].isbns[0] for i in sorted(members, key=lambda i: i != best) if nodes[i].isbns), "")
        row = (nodes[best].member_id, len(members), isbn)
        if cluster_id not in current:
            inserts.append([cluster_id, *row, "", stamp, stamp])
        elif current[cluster_id] != row:
            updates.append([cluster_id, *row, stamp])
    bulk.insert(Cluster, ("id", "preferred_id", "size", "isbn", "title", "created_at", "updated_at"), inserts)
    bulk.update(Cluster, ("preferred_id", "size", "isbn", "updated_at"), updates)
    _copy_titles()
    moves = [
        [nodes[i].member_id, target[root]]
        for root, members in groups.items()
        for i in members
        if nodes[i].cluster_id != target[root]
    ]
    bulk.update(ClusterMember, ("cluster_id",), moves)
    old = {node.cluster_id for node in nodes if node.cluster_id is not None} | dropped
    inactive = ClusterMember.objects.filter(active=False, cluster__isnull=False)
    old.update(inactive.values_list("cluster_id", flat=True))
    inactive.update(cluster=None)
    emptied = sorted(old - set(target.values()))  # ids are never reused
    for chunk in _chunks(emptied):
        Cluster.objects.filter(pk__in=chunk).delete()
    return len(moves), len(groups)


def _copy_titles() -> None:
    """Give every cluster its preferred record's title where it differs (a new cluster, another preferred record, or
    the record retitled since), in one statement: titles are long text, read only here."""
    cluster = connection.ops.quote_name(Cluster._meta.db_table)
    member = connection.ops.quote_name(ClusterMember._meta.db_table)
    title = f"COALESCE((SELECT m.title FROM {member} m WHERE m.id = {cluster}.preferred_id), '')"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {cluster} SET title = {title} WHERE title <> {title}")
