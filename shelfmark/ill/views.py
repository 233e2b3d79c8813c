"""Staff ILL pages: each library's lending and borrowing queues, a request with the actions its status allows."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shelfmark.accounts.views import staff_required
from shelfmark.catalog.models import Record
from shelfmark.core.errors import DomainError, InvalidInput, NotFound
from shelfmark.ill import access, rules, selectors, services
from shelfmark.ill.forms import RequestForm
from shelfmark.ill.models import Partner, Request, RequestEvent, Status
from shelfmark.libraries.models import Library
from shelfmark.patrons.models import Patron

# Which side acts: lender-side steps need ill.operate at the lending library, the others at the borrowing one.
LENDER_ACTIONS = {"accept", "refuse", "ship", "close"}
BORROWER_ACTIONS = {"send", "receive", "check_out", "return"}
EITHER_ACTIONS = {"cancel", "lost"}


def _refused(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "ill/refused.html", {"error": error}, status=error.status)


def _library(request: HttpRequest, library_id: int) -> Library:
    library = Library.objects.filter(pk=library_id, is_active=True).first()
    if library is None:
        raise NotFound(field="library")
    access.require_operate(request.user, library)
    return library


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """List the libraries whose ILL queues the staff member works; one library goes straight to its queues."""
    libraries = access.libraries_for(request.user)
    if len(libraries) == 1:
        return HttpResponseRedirect(reverse("ill:queues", args=[libraries[0].pk]))
    return render(request, "ill/home.html", {"libraries": libraries})


@staff_required
def queues(request: HttpRequest, library_id: int) -> HttpResponse:
    """The library's lending queue (requests to us) and borrowing queue (our requests), open ones oldest first."""
    try:
        library = _library(request, library_id)
    except DomainError as exc:
        return _refused(request, exc)
    show_all = request.GET.get("all") == "1"
    context = {
        "library": library,
        "lending": selectors.lending_queue(library, open_only=not show_all),
        "borrowing": selectors.borrowing_queue(library, open_only=not show_all),
        "show_all": show_all,
    }
    return render(request, "ill/queues.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, library_id: int) -> HttpResponse:
    """Ask for a title for a reader (by card) or for the library: a record of ours, or a citation."""
    try:
        library = _library(request, library_id)
    except DomainError as exc:
        return _refused(request, exc)
    form = RequestForm(request.POST or None)
    error: DomainError | None = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patron = None
            if data["card_number"]:
                patron = Patron.objects.filter(card_number=data["card_number"].strip()).first()
                if patron is None:
                    raise InvalidInput(
                        _("没有读者证号为 {card} 的读者。").format(card=data["card_number"]), field="card_number"
                    )
            record = None
            if data["record_id"]:
                record = Record.objects.filter(pk=data["record_id"]).first()
                if record is None:
                    raise InvalidInput(_("没有书目记录 {id}。").format(id=data["record_id"]), field="record_id")
            created = services.request_item(
                requesting_library=library,
                patron=patron,
                record=record,
                title=data["title"],
                author=data["author"],
                isbn=data["isbn"],
                publisher=data["publisher"],
                year=data["year"],
                needed_by=data["needed_by"],
                note=data["note"],
                actor=request.user,
            )
        except DomainError as exc:
            error = exc
        else:
            return HttpResponseRedirect(reverse("ill:detail", args=[created.pk]))
    status = error.status if error else 200
    return render(request, "ill/new.html", {"library": library, "form": form, "error": error}, status=status)


def _actions(user: Any, ill: Request) -> list[str]:
    """The steps this staff member may take on the request now."""
    borrower = access.may_operate(user, ill.requesting_library)
    lender = access.may_operate(user, ill.supplying_library)
    status = ill.status
    found: list[str] = []
    if borrower and (
        status == Status.REFUSED
        or (status == Status.REQUESTED and not (ill.supplying_library_id or ill.supplying_partner_id))
    ):
        found.append("send")
    if lender and status == Status.REQUESTED and ill.is_lending:
        found += ["accept", "refuse"]
    if lender and status == Status.ACCEPTED:
        found.append("ship")
    if borrower and status == Status.SHIPPED:
        found.append("receive")
    if borrower and status == Status.RECEIVED and ill.patron_id is not None:
        found.append("check_out")
    if borrower and status in (Status.RECEIVED, Status.ON_LOAN):
        found.append("return")
    if lender and status == Status.RETURNED:
        found.append("close")
    if (borrower or lender) and rules.may_move(status, Status.CANCELLED):
        found.append("cancel")
    if (borrower or lender) and rules.may_move(status, Status.LOST):
        found.append("lost")
    return found


@staff_required
def detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request: the title, both sides, its log, the lenders to suggest and the steps its status allows."""
    try:
        ill = access.request_for(request.user, request_id)
    except DomainError as exc:
        return _refused(request, exc)
    return _detail(request, ill)


def _detail(request: HttpRequest, ill: Request, *, error: DomainError | None = None) -> HttpResponse:
    actions = _actions(request.user, ill)
    context = {
        "ill": ill,
        "actions": actions,
        "events": RequestEvent.objects.filter(request=ill).select_related("actor"),
        "lenders": selectors.suggest_lenders(request=ill) if "send" in actions else [],
        "partners": Partner.objects.filter(is_active=True) if "send" in actions else [],
        "outgoing": ill.messages.select_related("partner").order_by("-id")[:10],
        "error": error,
    }
    return render(request, "ill/detail.html", context, status=error.status if error else 200)


def _date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(_("日期 {value} 无效，请按 YYYY-MM-DD 填写。").format(value=value), field=field) from None


@staff_required
@require_POST
def act(request: HttpRequest, request_id: int, action: str) -> HttpResponse:
    """Take one step on the request; a refusal re-renders the request with the reason, changing nothing."""
    try:
        ill = access.request_for(request.user, request_id)
    except DomainError as exc:
        return _refused(request, exc)
    user, post = request.user, request.POST
    try:
        side = ill.supplying_library if action in LENDER_ACTIONS else ill.requesting_library
        if action in LENDER_ACTIONS | BORROWER_ACTIONS:
            if side is None:
                raise InvalidInput(_("这一步不由本系统的图书馆办理。"), field="action")
            access.require_operate(user, side)
        elif action not in EITHER_ACTIONS:
            raise NotFound(field="action")
        if action == "send":
            lender = post.get("lender", "")
            kind, _colon, number = lender.partition(":")
            if kind == "library" and number.isdigit():
                services.send_request(request=ill, lender_library=_library_or_404(int(number)), actor=user)
            elif kind == "partner" and number.isdigit():
                partner = Partner.objects.filter(pk=int(number), is_active=True).first()
                if partner is None:
                    raise InvalidInput(_("请选择一个借出馆。"), field="lender")
                services.send_request(request=ill, partner=partner, actor=user)
            else:
                raise InvalidInput(_("请选择一个借出馆。"), field="lender")
        elif action == "accept":
            services.accept(request=ill, barcode=post.get("barcode", ""), actor=user)
        elif action == "refuse":
            services.refuse(request=ill, reason=post.get("reason", ""), actor=user)
        elif action == "ship":
            services.ship(request=ill, due_on=_date(post.get("due_on", ""), "due_on"), actor=user)
        elif action == "receive":
            due = post.get("lender_due_on", "").strip()
            services.receive(
                request=ill,
                lender_due_on=_date(due, "lender_due_on") if due else None,
                lender_barcode=post.get("lender_barcode", ""),
                actor=user,
            )
        elif action == "check_out":
            services.check_out_to_reader(request=ill, override_reason=post.get("override_reason", ""), actor=user)
        elif action == "return":
            services.return_item(request=ill, note=post.get("note", ""), actor=user)
        elif action == "close":
            services.close(request=ill, actor=user)
        elif action == "cancel":
            services.cancel(request=ill, reason=post.get("reason", ""), actor=user)
        elif action == "lost":
            services.mark_lost(request=ill, note=post.get("note", ""), actor=user)
    except DomainError as exc:
        return _detail(request, access.request_for(user, request_id), error=exc)
    messages.success(request, _("已办理。"))
    return HttpResponseRedirect(reverse("ill:detail", args=[ill.pk]))


def _library_or_404(library_id: int) -> Library:
    library = Library.objects.filter(pk=library_id, is_active=True).first()
    if library is None:
        raise InvalidInput(_("请选择一个借出馆。"), field="lender")
    return library
