"""Display settings: large text and high contrast, as plain forms that set a cookie and go back to the page."""

from __future__ import annotations

import json
from dataclasses import replace

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shelfmark.opac import display as settings_
from shelfmark.opac.display import CONTRAST_CHOICES, COOKIE, COOKIE_MAX_AGE, TEXT_CHOICES, Display
from shelfmark.opac.session import safe_next
from shelfmark.opac.views._page import is_htmx


@require_http_methods(["GET", "POST"])
def display(request: HttpRequest) -> HttpResponse:
    """Show the display settings (GET), or change them and return to the page the reader was on (POST).

    An htmx post gets the switches back with an HX-Trigger event carrying the new classes for <html>, so the page
    changes without a reload; a plain post is redirected back to `next`, which renders with the new cookie.
    """
    current = settings_.from_request(request)
    back = safe_next(request, settings_.return_address(request))
    if request.method == "GET":
        return render(request, "opac/display.html", {"next": back})
    text, contrast = request.POST.get("text"), request.POST.get("contrast")
    error = ""
    if text is not None and text not in TEXT_CHOICES:
        error = _("字号（text）只能是 normal 或 large。")
    elif contrast is not None and contrast not in CONTRAST_CHOICES:
        error = _("对比度（contrast）只能是 normal 或 high。")
    elif text is None and contrast is None:
        error = _("请选择字号（text）或对比度（contrast）。")
    if error:
        return render(request, "opac/display.html", {"next": back, "alert": error}, status=400)
    chosen = replace(
        current,
        large_text=current.large_text if text is None else text == "large",
        high_contrast=current.high_contrast if contrast is None else contrast == "high",
    )
    if is_htmx(request):
        response: HttpResponse = render(
            request, "opac/partials/display_switches.html", {"display": chosen, "here": back}
        )
        response["HX-Trigger"] = json.dumps({"display-changed": {"classes": chosen.classes}})
    else:
        response = HttpResponseRedirect(back, status=303)
    _remember(request, response, chosen)
    return response


def _remember(request: HttpRequest, response: HttpResponse, chosen: Display) -> None:
    response.set_cookie(
        COOKIE,
        chosen.cookie_value,
        max_age=COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
