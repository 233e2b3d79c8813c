"""Staff pages of book lists: the lists a librarian may compose, and one list's composer.

Every change is a POST with CSRF through the services, which check the permission again. Plain posts redirect
back to the list on success and re-render it with the refusal otherwise; htmx posts get the composer section
back (status 200 even for a refusal, since htmx does not swap error responses).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shelfmark.accounts.views import staff_required
from shelfmark.booklists import access, selectors, services
from shelfmark.booklists.errors import EntryNotFound
from shelfmark.booklists.forms import EntryForm, ListDetailsForm, MoveForm, NewListForm, NoteForm
from shelfmark.booklists.models import BookList, BookListEntry
from shelfmark.catalog.models import Record
from shelfmark.catalog.search import selectors as search
from shelfmark.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied

MAX_QUERY = 200
HITS = 10


def _refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render a refused or missing list as a page with the error's status, not a server error."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            return render(request, "booklists/refused.html", {"error": exc}, status=exc.status)

    return wrapper


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@staff_required
@_refusals
def index(request: HttpRequest) -> HttpResponse:
    """List the book lists the librarian may compose, and start a new one."""
    user = request.user
    if not access.composable_libraries(user).exists():
        raise PermissionDenied(_("您在任何图书馆都没有编辑书单的权限。"))
    form = NewListForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                book_list = services.create_list(
                    library=data["library"],
                    title=data["title"],
                    kind=data["kind"],
                    age_band=data["age_band"],
                    description=data["description"],
                    actor=user,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("书单“{title}”已创建，现在可以加书了。").format(title=book_list.title))
                return _to_list(book_list)
    lists = access.lists_for(user).annotate(size=Count("entries"))
    return render(request, "booklists/index.html", {"form": form, "lists": lists}, status=status)


@staff_required
@_refusals
def edit(request: HttpRequest, list_id: int) -> HttpResponse:
    """Show one list's composer: its details, titles in order with notes, and a search to add titles."""
    book_list = access.get_list_for_compose(request.user, list_id)
    if request.method != "POST":
        return _composer_page(request, book_list)
    form = ListDetailsForm(request.POST)
    if not form.is_valid():
        return _composer_page(request, book_list, details=form, status=400)
    try:
        services.update_list(book_list=book_list, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _composer_page(request, book_list, details=form, status=exc.status)
    messages.success(request, _("书单信息已保存。"))
    return _to_list(book_list)


@require_POST
@staff_required
@_refusals
def add_entry(request: HttpRequest, list_id: int) -> HttpResponse:
    """Put a found title at the end of the list, with the librarian's recommendation."""
    book_list = access.get_list_for_compose(request.user, list_id)
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _answer(request, book_list, InvalidInput(_("请选择要加入的书。"), field="record"))
    record = Record.objects.defer("marc").filter(pk=form.cleaned_data["record"]).first()
    if record is None:
        return _answer(request, book_list, NotFound(_("没有这条书目。"), field="record"))
    return _act(
        request,
        book_list,
        lambda: services.add_entry(
            book_list=book_list, record=record, note=form.cleaned_data["note"], actor=request.user
        ),
        _("《{title}》已加入书单。").format(title=record.title),
    )


@require_POST
@staff_required
@_refusals
def set_note(request: HttpRequest, list_id: int, entry_id: int) -> HttpResponse:
    """Change one entry's recommendation words."""
    book_list = access.get_list_for_compose(request.user, list_id)
    entry = _entry(book_list, entry_id)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _answer(request, book_list, InvalidInput(str(form.errors["note"][0]), field="note"))
    return _act(
        request,
        book_list,
        lambda: services.set_note(entry=entry, note=form.cleaned_data["note"], actor=request.user),
        _("《{title}》的推荐语已保存。").format(title=entry.record.title),
    )


@require_POST
@staff_required
@_refusals
def move_entry(request: HttpRequest, list_id: int, entry_id: int) -> HttpResponse:
    """Move one entry up or down one place."""
    book_list = access.get_list_for_compose(request.user, list_id)
    entry = _entry(book_list, entry_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _answer(request, book_list, InvalidInput(_("只能上移或下移一位。"), field="offset"))
    return _act(
        request,
        book_list,
        lambda: services.move_entry(entry=entry, offset=form.cleaned_data["offset"], actor=request.user),
        "",
    )


@require_POST
@staff_required
@_refusals
def remove_entry(request: HttpRequest, list_id: int, entry_id: int) -> HttpResponse:
    """Take one title off the list."""
    book_list = access.get_list_for_compose(request.user, list_id)
    entry = _entry(book_list, entry_id)
    return _act(
        request,
        book_list,
        lambda: services.remove_entry(entry=entry, actor=request.user),
        _("《{title}》已移出书单。").format(title=entry.record.title),
    )


@require_POST
@staff_required
@_refusals
def publish(request: HttpRequest, list_id: int) -> HttpResponse:
    """Show the list to readers."""
    book_list = access.get_list_for_compose(request.user, list_id)
    return _act(
        request, book_list, lambda: services.publish(book_list=book_list, actor=request.user), _("书单已发布。")
    )


@require_POST
@staff_required
@_refusals
def unpublish(request: HttpRequest, list_id: int) -> HttpResponse:
    """Withdraw the list from readers."""
    book_list = access.get_list_for_compose(request.user, list_id)
    return _act(
        request,
        book_list,
        lambda: services.unpublish(book_list=book_list, actor=request.user),
        _("书单已撤回，读者看不到了。"),
    )


def _entry(book_list: BookList, entry_id: int) -> BookListEntry:
    found = BookListEntry.objects.select_related("record").defer("record__marc").filter(pk=entry_id).first()
    if found is None or found.book_list_id != book_list.pk:
        raise EntryNotFound(field="entry", entry_id=entry_id)
    found.book_list = book_list
    return found


def _act(request: HttpRequest, book_list: BookList, write: Callable[[], object], done: str) -> HttpResponse:
    """Run one write and answer: the composer section to htmx, a redirect or the refused page otherwise."""
    try:
        write()
    except DomainError as exc:
        return _answer(request, book_list, exc)
    if _is_htmx(request):
        return _composer(request, book_list, note=done)
    if done:
        messages.success(request, done)
    return _to_list(book_list, anchor="entries")


def _answer(request: HttpRequest, book_list: BookList, refusal: DomainError) -> HttpResponse:
    if _is_htmx(request):
        return _composer(request, book_list, alert=refusal.message)
    return _composer_page(request, book_list, alert=refusal.message, status=refusal.status)


def _composer_context(book_list: BookList) -> dict[str, Any]:
    book_list.refresh_from_db(fields=["title", "description", "age_band", "is_published", "published_at"])
    return {"book_list": book_list, "entries": list(selectors.entries(book_list))}


def _composer(request: HttpRequest, book_list: BookList, *, note: str = "", alert: str = "") -> HttpResponse:
    context = {**_composer_context(book_list), "note": note, "alert": alert}
    return render(request, "booklists/partials/composer.html", context)


def _composer_page(
    request: HttpRequest,
    book_list: BookList,
    *,
    details: ListDetailsForm | None = None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    hits: list[Record] = []
    search_error = ""
    if q:
        try:
            hits = search.search(q, page=1, per_page=HITS, facets=False).hits
        except InvalidInput:
            search_error = _("无法理解这个检索词，请换一种写法。")
    if details is None:
        details = ListDetailsForm(
            initial={"title": book_list.title, "age_band": book_list.age_band, "description": book_list.description}
        )
    context = {
        **_composer_context(book_list),
        "details": details,
        "alert": alert,
        "q": q,
        "hits": hits,
        "search_error": search_error,
    }
    return render(request, "booklists/edit.html", context, status=status)


def _to_list(book_list: BookList, anchor: str = "") -> HttpResponseRedirect:
    url = reverse("booklists:edit", args=[book_list.pk])
    return HttpResponseRedirect(f"{url}#{anchor}" if anchor else url, status=303)
