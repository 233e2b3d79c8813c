"""Interlibrary loan reads: lenders to suggest for a request, each library's lending and borrowing queues."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Count, Q, QuerySet

from shelfmark.circulation.queue import shared_depth
from shelfmark.holdings.models import Item, ItemStatus
from shelfmark.ill import rules
from shelfmark.ill.models import Partner, Request, Status
from shelfmark.libraries.models import Library
from shelfmark.patrons.models import Patron

# Availability ranks, best first.
ON_SHELF = 0
HELD_UNKNOWN = 1  # a union-catalogue member's holding: harvested records say it is held, not whether it is out
HELD_NOT_ON_SHELF = 2


@dataclass(frozen=True)
class Lender:
    """A library that could lend the title: on this installation, or a member reached through a partner."""

    library: Library
    partner: Partner | None
    availability: int
    available: int  # copies on the shelf now (ours only; 0 for a member's holdings)
    copies: int
    depth: int  # tree levels shared with the borrowing library: more is nearer
    load: int  # open requests it is lending now
    source: str  # "catalogue" or "union"


def suggest_lenders(*, request: Request, limit: int = 20) -> list[Lender]:
    """Rank the libraries that hold the title: on the shelf first, then nearer in the network, then less busy."""
    borrower = request.requesting_library
    if borrower is None:
        return []
    found: dict[int, Lender] = {}
    if request.record_id is not None:
        counts = (
            Item.objects.filter(record_id=request.record_id)
            .exclude(status__in=(ItemStatus.WITHDRAWN, ItemStatus.LOST, ItemStatus.MISSING))
            .exclude(home_library=borrower)
            .values("home_library")
            .annotate(copies=Count("id"), available=Count("id", filter=Q(status=ItemStatus.AVAILABLE)))
        )
        libraries = Library.objects.in_bulk([row["home_library"] for row in counts])
        for row in counts:
            library = libraries[row["home_library"]]
            if not library.is_active:
                continue
            found[library.pk] = Lender(
                library=library,
                partner=None,
                availability=ON_SHELF if row["available"] else HELD_NOT_ON_SHELF,
                available=row["available"],
                copies=row["copies"],
                depth=shared_depth(library.path, borrower.path),
                load=0,
                source="catalogue",
            )
    for library, copies in _member_holdings(request).items():
        if library.pk in found or library.pk == borrower.pk:
            continue
        found[library.pk] = Lender(
            library=library,
            partner=Partner.objects.filter(library=library, is_active=True).first(),
            availability=HELD_UNKNOWN,
            available=0,
            copies=copies,
            depth=shared_depth(library.path, borrower.path),
            load=0,
            source="union",
        )
    loads = _loads(list(found.values()))
    ranked = [
        Lender(
            **{
                **lender.__dict__,
                "load": loads.get((lender.library.pk, lender.partner.pk if lender.partner else None), 0),
            }
        )
        for lender in found.values()
    ]
    ranked.sort(key=lambda lender: (lender.availability, -lender.depth, lender.load, lender.library.code))
    return ranked[:limit]


def _loads(lenders: list[Lender]) -> dict[tuple[int, int | None], int]:
    """Open lending requests per candidate (per partner for members on another installation)."""
    library_ids = [lender.library.pk for lender in lenders if lender.partner is None]
    partner_ids = [lender.partner.pk for lender in lenders if lender.partner is not None]
    open_requests = Request.objects.filter(status__in=rules.LENDER_LOAD)
    loads: dict[tuple[int, int | None], int] = {}
    for row in (
        open_requests.filter(supplying_library_id__in=library_ids).values("supplying_library").annotate(n=Count("id"))
    ):
        loads[(row["supplying_library"], None)] = row["n"]
    by_partner = dict(
        open_requests.filter(supplying_partner_id__in=partner_ids)
        .values_list("supplying_partner")
        .annotate(n=Count("id"))
        .values_list("supplying_partner", "n")
    )
    for lender in lenders:
        if lender.partner is not None:
            loads[(lender.library.pk, lender.partner.pk)] = by_partner.get(lender.partner.pk, 0)
    return loads


def _member_holdings(request: Request) -> dict[Library, int]:
    """Copies held by union-catalogue members (libraries not on this installation) of the request's title.

    Read only when the union catalogue is installed: through the cluster of our record, or by ISBN for a citation.
    """
    if not apps.is_installed("shelfmark.union_catalog"):
        return {}
    from shelfmark.union_catalog.models import ClusterMember, SourceHolding

    members = ClusterMember.objects.none()
    if request.record_id is not None:
        cluster_ids = ClusterMember.objects.filter(record_id=request.record_id, cluster__isnull=False).values(
            "cluster_id"
        )
        members = ClusterMember.objects.filter(cluster_id__in=cluster_ids)
    elif request.isbn:
        members = ClusterMember.objects.filter(isbn=request.isbn)
    holdings = (
        SourceHolding.objects.filter(
            source_record_id__in=members.filter(source_record__isnull=False, active=True).values("source_record_id")
        )
        .filter(library__isnull=False, library__is_active=True)
        .select_related("library")
    )
    copies: dict[Library, int] = defaultdict(int)
    for holding in holdings:
        assert holding.library is not None
        copies[holding.library] += 1
    return dict(copies)


def lending_queue(library: Library, *, open_only: bool = True) -> QuerySet[Request]:
    """Requests for this library to supply, oldest first."""
    requests = Request.objects.filter(supplying_library=library)
    if open_only:
        requests = requests.filter(status__in=rules.OPEN)
    return requests.select_related("requesting_library", "requesting_partner", "lent_item", "record").order_by(
        "created_at", "id"
    )


def borrowing_queue(library: Library, *, open_only: bool = True) -> QuerySet[Request]:
    """This library's own requests, oldest first."""
    requests = Request.objects.filter(requesting_library=library)
    if open_only:
        requests = requests.filter(status__in=rules.OPEN)
    return requests.select_related(
        "supplying_library", "supplying_partner", "patron", "borrowed_item", "pickup_library", "record"
    ).order_by("created_at", "id")


def reader_requests(patron: Patron) -> QuerySet[Request]:
    """A reader's own requests, newest first."""
    return Request.objects.filter(patron=patron).select_related(
        "supplying_library", "supplying_partner", "pickup_library"
    )


def waiting_for_return(library: Library) -> QuerySet[Request]:
    """Borrowed copies whose reader has returned them, ready to ship back to their lender."""
    return borrowing_queue(library).filter(
        Q(status=Status.ON_LOAN, loan__status="returned") | Q(status=Status.RECEIVED, patron__isnull=True)
    )
