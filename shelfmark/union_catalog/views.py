"""Staff pages of the union catalogue under /staff/union/: member sources and their run logs, clusters with their
holdings, candidate merges, and the cataloguers' merge, split and pinned decisions.

Every change is a POST with CSRF through the services, which check the permission again; a refused or missing
object renders a page with the error's status, not a server error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shelfmark.accounts.views import staff_required
from shelfmark.core.errors import DomainError, NotFound, PermissionDenied
from shelfmark.union_catalog import access, errors, selectors, services
from shelfmark.union_catalog.forms import NoteForm, SourceForm, UploadForm
from shelfmark.union_catalog.models import (
    CandidatePair,
    Cluster,
    ClusterDecision,
    ClusterMember,
    ClusterRun,
    HarvestRun,
    Source,
)

RUNS_SHOWN = 20


def _refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            return render(request, "union_catalog/refused.html", {"error": exc}, status=exc.status)

    return wrapper


def _source(code: str) -> Source:
    source = Source.objects.select_related("library").filter(library__code=code).first()
    if source is None:
        raise errors.SourceNotFound(code=code)
    return source


def _member(member_id: int) -> ClusterMember:
    member = ClusterMember.objects.filter(pk=member_id).first()
    if member is None:
        raise errors.MemberNotFound()
    return member


@staff_required
@_refusals
def index(request: HttpRequest) -> HttpResponse:
    """The union catalogue at a glance: sources with their last runs, clusters, candidates, the last clustering."""
    access.require_view(request.user)
    last = HarvestRun.objects.filter(source=OuterRef("pk")).order_by("-id").values("id")[:1]
    sources = list(
        Source.objects.select_related("library").annotate(last_run_id=Subquery(last)).order_by("library__path")
    )
    runs = HarvestRun.objects.in_bulk([found.last_run_id for found in sources if found.last_run_id])
    context = {
        "sources": [(found, runs.get(found.last_run_id)) for found in sources],
        "members": ClusterMember.objects.filter(active=True).count(),
        "clusters": Cluster.objects.count(),
        "candidates": CandidatePair.objects.count(),
        "last_clustering": ClusterRun.objects.order_by("-id").first(),
        "may_add": access.manageable_libraries(request.user).exclude(union_source__isnull=False).exists(),
    }
    return render(request, "union_catalog/index.html", context)


@staff_required
@_refusals
def new_source(request: HttpRequest) -> HttpResponse:
    """Register a member library's way in: its OAI-PMH provider or MARC files."""
    libraries = access.manageable_libraries(request.user).filter(union_source__isnull=True)
    if not libraries.exists():
        raise PermissionDenied(_("您没有可以登记成员馆来源的图书馆。"))
    form = SourceForm(request.POST or None, libraries=libraries)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                source = services.save_source(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("成员馆来源 {code} 已登记。").format(code=source.code))
                return HttpResponseRedirect(reverse("union_catalog:source", args=[source.code]))
    return render(request, "union_catalog/source_form.html", {"form": form}, status=status)


@staff_required
@_refusals
def source(request: HttpRequest, code: str) -> HttpResponse:
    """A source: its settings (changed by those who manage its library), its runs and the way to feed it."""
    access.require_view(request.user)
    found = _source(code)
    may_manage = access.may_manage(request.user, found.library)
    form = SourceForm(
        request.POST or None,
        libraries=access.manageable_libraries(request.user),
        fixed=found.library,
        initial={
            "library": found.library_id,
            "name": found.name,
            "way": found.way,
            "base_url": found.base_url,
            "set_spec": found.set_spec,
            "metadata_prefixes": found.metadata_prefixes,
            "marc_format": found.marc_format,
            "encoding": found.encoding,
            "schedule": found.schedule,
            "schedule_time": found.schedule_time,
            "schedule_weekday": found.schedule_weekday,
            "is_active": found.is_active,
        },
    )
    status = 200
    if request.method == "POST":
        access.require_manage(request.user, found.library)
        status = 400
        if form.is_valid():
            data = {**form.cleaned_data, "library": found.library}
            try:
                services.save_source(actor=request.user, **data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return HttpResponseRedirect(reverse("union_catalog:source", args=[code]))
    context = {
        "source": found,
        "form": form,
        "upload": UploadForm(),
        "may_manage": may_manage,
        "runs": found.runs.order_by("-id")[:RUNS_SHOWN],
        "records": found.records.filter(deleted=False).count(),
        "deleted": found.records.filter(deleted=True).count(),
    }
    return render(request, "union_catalog/source.html", context, status=status)


@require_POST
@staff_required
@_refusals
def harvest(request: HttpRequest, code: str) -> HttpResponse:
    """Harvest the source now in the background (incrementally, or in full)."""
    found = _source(code)
    full = request.POST.get("full") == "1"
    try:
        services.queue_harvest(source=found, actor=request.user, full=full)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已开始收割，稍后刷新本页查看收割日志。"))
    return HttpResponseRedirect(reverse("union_catalog:source", args=[code]))


@require_POST
@staff_required
@_refusals
def upload(request: HttpRequest, code: str) -> HttpResponse:
    """Load a member's MARC file in the background."""
    found = _source(code)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的 MARC 文件。"))
        return HttpResponseRedirect(reverse("union_catalog:source", args=[code]))
    try:
        run = services.queue_file(
            source=found, upload=form.cleaned_data["file"], actor=request.user, replace=form.cleaned_data["replace"]
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("union_catalog:source", args=[code]))
    return HttpResponseRedirect(reverse("union_catalog:run", args=[run.pk]))


@staff_required
@_refusals
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run's log: counts, the error that stopped it, and the rejected records with their reasons."""
    access.require_view(request.user)
    found = HarvestRun.objects.select_related("source__library").filter(pk=run_id).first()
    if found is None:
        raise NotFound(_("没有这次收割。"))
    return render(request, "union_catalog/run.html", {"run": found})


@staff_required
@_refusals
def clusters(request: HttpRequest) -> HttpResponse:
    """Find clusters by title words or ISBN."""
    access.require_view(request.user)
    query = request.GET.get("q", "")[:200]
    return render(
        request, "union_catalog/clusters.html", {"query": query, "clusters": selectors.search_clusters(query)}
    )


@staff_required
@_refusals
def cluster(request: HttpRequest, cluster_id: int) -> HttpResponse:
    """One cluster: its records (the preferred one first), aggregated holdings and the decisions about it."""
    access.require_view(request.user)
    found = Cluster.objects.filter(pk=cluster_id).first()
    if found is None:
        raise errors.ClusterNotFound()
    context = {
        "cluster": found,
        "members": selectors.members_of(found),
        "holdings": selectors.cluster_holdings(found),
        "decisions": selectors.decisions_about(found),
        "may_decide": access.may_decide(request.user),
    }
    return render(request, "union_catalog/cluster.html", context)


@staff_required
@_refusals
def candidates(request: HttpRequest) -> HttpResponse:
    """Pairs the last clustering found alike below the confidence threshold, for a cataloguer to decide."""
    access.require_view(request.user)
    context = {"pairs": selectors.candidates(), "may_decide": access.may_decide(request.user), "form": NoteForm()}
    return render(request, "union_catalog/candidates.html", context)


def _decide(request: HttpRequest, act: Callable[[], Any], done: str, back: str) -> HttpResponse:
    try:
        act()
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(back)


@require_POST
@staff_required
@_refusals
def decide(request: HttpRequest, pair_id: int, kind: str) -> HttpResponse:
    """Merge a candidate pair, or pin it apart."""
    access.require_decide(request.user)
    if kind not in ("merge", "apart"):
        raise NotFound(_("没有这种决定。"))
    pair = CandidatePair.objects.select_related("left", "right").filter(pk=pair_id).first()
    if pair is None:
        raise NotFound(_("这对候选记录已经处理过了。"))
    form = NoteForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if kind == "merge":
        return _decide(
            request,
            lambda: services.merge(left=pair.left, right=pair.right, actor=request.user, note=note),
            _("已合并，以后的聚类会保持这一决定。"),
            reverse("union_catalog:candidates"),
        )
    return _decide(
        request,
        lambda: services.keep_apart(left=pair.left, right=pair.right, actor=request.user, note=note),
        _("已标记为不同版本，以后的聚类会保持这一决定。"),
        reverse("union_catalog:candidates"),
    )


@require_POST
@staff_required
@_refusals
def split(request: HttpRequest, cluster_id: int, member_id: int) -> HttpResponse:
    """Take a record out of its cluster and pin it apart from the others."""
    access.require_decide(request.user)
    member = _member(member_id)
    if member.cluster_id != cluster_id:
        raise errors.MemberNotFound()
    return _decide(
        request,
        lambda: services.split_out(member=member, actor=request.user),
        _("已拆分，以后的聚类会保持这一决定。"),
        reverse("union_catalog:cluster", args=[cluster_id]),
    )


@require_POST
@staff_required
@_refusals
def forget(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Drop a pinned decision; the next clustering decides that pair by its scores again."""
    access.require_decide(request.user)
    decision = ClusterDecision.objects.select_related("left").filter(pk=decision_id).first()
    if decision is None:
        raise NotFound(_("没有这个决定。"))
    back = request.POST.get("cluster", "")
    target = reverse("union_catalog:cluster", args=[int(back)]) if back.isdigit() else reverse("union_catalog:index")
    return _decide(request, lambda: services.forget(decision=decision, actor=request.user), _("已撤销该决定。"), target)
