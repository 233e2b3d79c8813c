"""Copy cataloguing for staff (/staff/copycat/): search a remote Z39.50 server, look at what it has, and catalogue
the record that fits, through the catalogue's own service.

The result is not kept between the two steps: cataloguing searches again and takes the record at the position
picked, and refuses when its title is no longer the one the cataloguer saw (the remote catalogue changed).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shelfmark.accounts.views import staff_required
from shelfmark.catalog import access
from shelfmark.catalog.views import render_refusals
from shelfmark.core.errors import DomainError
from shelfmark.protocols.z3950 import client
from shelfmark.protocols.z3950.forms import CopyForm, SearchForm, cataloguing_choices, configured_targets

SHOWN = 20


@staff_required
@require_GET
@render_refusals
def search(request: HttpRequest) -> HttpResponse:
    """The search form; with a query, the records the server sent and a button to catalogue each."""
    access.require_view(request.user)
    form = SearchForm(request.GET if "term" in request.GET else None)
    context = {"form": form, "targets": configured_targets(), "libraries": cataloguing_choices(request.user)}
    if form.is_bound and form.is_valid():
        try:
            context["result"] = client.search(
                form.cleaned_data["target"],
                field=form.cleaned_data["field"],
                term=form.cleaned_data["term"],
                limit=SHOWN,
            )
        except DomainError as error:
            context["error"] = error.message
            return render(request, "z3950/search.html", context, status=error.status)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "z3950/search.html", context, status=status)


def _refusal(form: CopyForm) -> str:
    """Name each field that is wrong and why, in one line (the picked record's fields are hidden inputs)."""
    said = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        text = " ".join(str(error) for error in errors)
        said.append(f"{field.label or name}: {text}" if field is not None else text)
    return "; ".join(said)


@staff_required
@require_POST
@render_refusals
def copy(request: HttpRequest) -> HttpResponse:
    """Catalogue the picked record, then show it; anything wrong is said on the search page."""
    access.require_view(request.user)
    form = CopyForm(request.POST, user=request.user)
    context = {"form": form, "targets": configured_targets(), "libraries": cataloguing_choices(request.user)}
    if not form.is_valid():
        context["error"] = _refusal(form)
        return render(request, "z3950/search.html", context, status=400)
    data = form.cleaned_data
    try:
        access.require_create(request.user, data["library"])
        result = client.search(data["target"], field=data["field"], term=data["term"], limit=data["position"])
        found = next((record for record in result.records if record.position == data["position"]), None)
        if found is None or (data["title"] and found.title != data["title"]):
            context["error"] = _("服务器上第 {position} 条记录已不是《{title}》，请重新检索。").format(
                position=data["position"], title=data["title"]
            )
            return render(request, "z3950/search.html", context, status=409)
        record = client.copy_record(found, library=data["library"], actor=request.user)
    except DomainError as error:
        context["error"] = error.message
        return render(request, "z3950/search.html", context, status=error.status)
    messages.success(request, _("已从 {target} 套录《{title}》。").format(target=data["target"], title=record.title))
    return redirect("catalog:detail", record_id=record.pk)
