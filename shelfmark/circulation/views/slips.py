"""Printable slips that travel with a copy: where it goes and, for a booking, whom it is for."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shelfmark.accounts import permissions
from shelfmark.circulation.models import Hold, Transit
from shelfmark.circulation.views._desk import Place, desk_view
from shelfmark.core.errors import NotFound, PermissionDenied


@require_GET
@desk_view
def transit_slip(request: HttpRequest, transit_id: int, *, place: Place) -> HttpResponse:
    """Print the slip of a copy in transit, for staff of the library it leaves or goes to."""
    transit = (
        Transit.objects.select_related(
            "item__record", "from_library", "to_library", "hold__patron", "hold__pickup_library"
        )
        .defer("item__record__marc")
        .filter(pk=transit_id)
        .first()
    )
    if transit is None:
        raise NotFound(_("没有编号为 {transit} 的在途记录。").format(transit=transit_id))
    if not any(
        permissions.has_perm(request.user, "circulation.operate", library)
        for library in (transit.from_library, transit.to_library)
    ):
        raise PermissionDenied(_("您没有查看这张在途单的权限。"))
    return render(
        request,
        "circulation/slip.html",
        {"place": place, "transit": transit, "hold": transit.hold, "item": transit.item},
    )


@require_GET
@desk_view
def hold_slip(request: HttpRequest, hold_id: int, *, place: Place) -> HttpResponse:
    """Print the slip that goes in a copy waiting on the pickup library's hold shelf."""
    hold = (
        Hold.objects.select_related("patron", "record", "pickup_library", "trapped_item")
        .defer("record__marc")
        .filter(pk=hold_id)
        .first()
    )
    if hold is None:
        raise NotFound(_("没有编号为 {hold} 的预约。").format(hold=hold_id))
    if not permissions.has_perm(request.user, "circulation.operate", hold.pickup_library):
        raise PermissionDenied(_("您没有查看这张预约单的权限。"))
    return render(
        request, "circulation/slip.html", {"place": place, "transit": None, "hold": hold, "item": hold.trapped_item}
    )
