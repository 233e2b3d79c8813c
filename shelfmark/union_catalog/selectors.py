"""Reads of the union catalogue for pages and other apps: clusters with their holdings, candidates, sources."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from shelfmark.catalog import isbn as isbn_codes
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.libraries.models import Library
from shelfmark.union_catalog.keys import fold
from shelfmark.union_catalog.models import (
    CandidatePair,
    Cluster,
    ClusterDecision,
    ClusterMember,
    Source,
    SourceHolding,
)


@dataclass
class HoldingLine:
    """Copies of a cluster at one library: ours (from items) or a member's (from its records' holdings)."""

    code: str
    name: str
    copies: int
    available: int | None  # None: the member does not say
    ours: bool


def cluster_holdings(cluster: Cluster) -> list[HoldingLine]:
    """Aggregate a cluster's copies per library: our items (not withdrawn) and the members' reported copies."""
    members = ClusterMember.objects.filter(cluster=cluster, active=True)
    lines: list[HoldingLine] = []
    ours = (
        Item.objects.filter(record_id__in=members.filter(record__isnull=False).values("record_id"))
        .exclude(status=ItemStatus.WITHDRAWN)
        .values("home_library__code", "home_library__name")
        .annotate(copies=Count("id"), available=Count("id", filter=Q(status=ItemStatus.AVAILABLE)))
        .order_by("home_library__path")
    )
    for row in ours:
        lines.append(
            HoldingLine(row["home_library__code"], row["home_library__name"], row["copies"], row["available"], True)
        )
    counted: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for code, name, library_code in SourceHolding.objects.filter(
        source_record__member__in=members.filter(source_record__isnull=False)
    ).values_list("library__code", "library__name", "library_code"):
        key = code or library_code
        counted[key] += 1
        names[key] = name or library_code
    lines += [HoldingLine(code, names[code], count, None, False) for code, count in sorted(counted.items())]
    return lines


def members_of(cluster: Cluster) -> QuerySet[ClusterMember]:
    """A cluster's records, preferred first, with their source."""
    return (
        ClusterMember.objects.filter(cluster=cluster)
        .select_related("source_record__source__library", "record__library")
        .order_by("-fullness", "id")
    )


def search_clusters(query: str, *, limit: int = 50) -> QuerySet[Cluster]:
    """Clusters whose preferred title contains the folded words, or whose records carry the ISBN."""
    query = (query or "").strip()
    if not query:
        return Cluster.objects.order_by("-size", "id")[:limit]
    if isbn := isbn_codes.to_13(query):
        return Cluster.objects.filter(members__isbn=isbn).distinct().order_by("id")[:limit]
    key = fold(query)
    return Cluster.objects.filter(members__title_key__contains=key).distinct().order_by("-size", "id")[:limit]


def candidates(*, limit: int = 100) -> QuerySet[CandidatePair]:
    """Candidate merges for cataloguers, the most alike first."""
    return CandidatePair.objects.select_related(
        "left__source_record__source__library",
        "right__source_record__source__library",
        "left__cluster",
        "right__cluster",
    ).order_by("-score", "id")[:limit]


def decisions_about(cluster: Cluster) -> QuerySet[ClusterDecision]:
    """Pinned decisions involving any record of the cluster."""
    ids = ClusterMember.objects.filter(cluster=cluster).values("id")
    return (
        ClusterDecision.objects.filter(Q(left_id__in=ids) | Q(right_id__in=ids))
        .select_related("left", "right", "actor")
        .order_by("-id")
    )


def sources_for(libraries: QuerySet[Library]) -> QuerySet[Source]:
    return Source.objects.filter(library__in=libraries).select_related("library").order_by("library__path")
