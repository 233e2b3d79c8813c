"""Staff pages of the alliance: register local documents, read the gap report and the scorecard, download them.

Every change is a POST with CSRF through the services, which check the permission again; refusals render with
their status and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shelfmark.accounts.views import staff_required
from shelfmark.alliance import access, selectors, services, xlsx
from shelfmark.alliance import scorecard as scorecards
from shelfmark.alliance.forms import DocumentForm, WithdrawForm
from shelfmark.catalog.models import Record
from shelfmark.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LISTED = 100


def _refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a refusal, a missing document or bad report parameters as a page with the error's status."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound, InvalidInput) as exc:
            return render(request, "alliance/refused.html", {"error": exc}, status=exc.status)

    return wrapper


def _may_enter(user: Any) -> None:
    if not (access.may_view(user) or access.editable_libraries(user).exists()):
        raise PermissionDenied(_("您无权查看图书馆联盟的报表。"))


@staff_required
@_refusals
def index(request: HttpRequest) -> HttpResponse:
    """List the standing local documents and register a new one."""
    user = request.user
    _may_enter(user)
    may_register = access.editable_libraries(user).exists()
    form = DocumentForm(request.POST or None, user=user) if may_register else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("您无权登记地方文献。"))
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = _record(data["record"])
                document = services.register_local_document(
                    library=data["library"],
                    record=record,
                    citation=data["citation"],
                    region=data["region"],
                    subjects=data["subjects"],
                    year_from=data["year_from"],
                    year_to=data["year_to"],
                    is_legal_deposit=data["is_legal_deposit"],
                    received_on=data["received_on"],
                    actor=user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("已登记《{title}》。").format(title=document.title))
                return HttpResponseRedirect(reverse("alliance:index"))
    documents = list(selectors.standing_documents()[:LISTED])
    editable = set(access.editable_libraries(user).values_list("pk", flat=True))
    context = {"form": form, "documents": documents, "editable": editable}
    return render(request, "alliance/index.html", context, status=status)


@staff_required
@_refusals
def edit(request: HttpRequest, document_id: int) -> HttpResponse:
    """Change what a document documents, or withdraw it."""
    user = request.user
    document = access.get_document_for_edit(user, document_id)
    initial = {
        "citation": document.citation,
        "region": document.region,
        "subjects": "；".join(document.subjects),
        "year_from": document.year_from,
        "year_to": document.year_to,
        "is_legal_deposit": document.is_legal_deposit,
        "received_on": document.received_on,
    }
    form = DocumentForm(request.POST or None, user=user, editing=True, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_local_document(
                    document=document,
                    citation=data["citation"],
                    region=data["region"],
                    subjects=data["subjects"],
                    year_from=data["year_from"],
                    year_to=data["year_to"] if data["year_to"] is not None else data["year_from"],
                    is_legal_deposit=data["is_legal_deposit"],
                    received_on=data["received_on"],
                    actor=user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("已保存。"))
                return HttpResponseRedirect(reverse("alliance:index"))
    context = {"document": document, "form": form, "withdraw_form": WithdrawForm()}
    return render(request, "alliance/edit.html", context, status=status)


@staff_required
@require_POST
@_refusals
def withdraw(request: HttpRequest, document_id: int) -> HttpResponse:
    """Withdraw a document from the collection."""
    document = access.get_document_for_edit(request.user, document_id)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.withdraw_local_document(document=document, reason=reason, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销《{title}》。").format(title=document.title))
    return HttpResponseRedirect(reverse("alliance:index"))


def _gap_report(request: HttpRequest) -> selectors.GapReport:
    access.require_view(request.user)
    return selectors.gap_report(
        year_from=request.GET.get("from"), year_to=request.GET.get("to"), level=request.GET.get("level") or "city"
    )


@staff_required
@_refusals
def gaps(request: HttpRequest) -> HttpResponse:
    """Show regions × years with the documents collected; empty cells are the gaps."""
    report = _gap_report(request)
    return render(request, "alliance/gaps.html", {"report": report, "query": request.GET.urlencode()})


@staff_required
@_refusals
def gaps_xlsx(request: HttpRequest) -> HttpResponse:
    """Download the gap report as an Excel file."""
    report = _gap_report(request)
    name = f"gaps-{report.years[0]}-{report.years[-1]}-{report.level}.xlsx"
    return _download(xlsx.to_bytes(xlsx.gap_workbook(report)), name)


def _scorecard(request: HttpRequest) -> scorecards.Scorecard:
    access.require_view(request.user)
    year = request.GET.get("year") or timezone.localtime().year - 1
    return scorecards.build_scorecard(year=year, level=request.GET.get("level") or "city")


@staff_required
@_refusals
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """Rank the members on every active indicator for a year, with targets met or not."""
    card = _scorecard(request)
    return render(request, "alliance/scorecard.html", {"card": card, "query": request.GET.urlencode()})


@staff_required
@_refusals
def scorecard_xlsx(request: HttpRequest) -> HttpResponse:
    """Download the scorecard workbook (a summary and one ranked sheet per indicator)."""
    card = _scorecard(request)
    return _download(xlsx.to_bytes(xlsx.scorecard_workbook(card)), f"scorecard-{card.year}-{card.level}.xlsx")


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _record(record_id: int | None) -> Record | None:
    if record_id is None:
        return None
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise InvalidInput(_("没有编号为 {record_id} 的书目记录。"), field="record", record_id=record_id)
    return record
