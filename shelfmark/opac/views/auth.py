"""Reader login with card number and PIN (the PIN lockout applies), and logout."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from shelfmark.core.errors import DomainError
from shelfmark.opac import wording
from shelfmark.opac.forms import LoginForm
from shelfmark.opac.session import safe_next
from shelfmark.patrons import rules
from shelfmark.patrons.auth import current_patron, login_reader, logout_reader

# What the page tells the reader before they type: how many wrong PINs lock the card, and for how long.
LOCKOUT = {"tries": rules.PIN_MAX_FAILURES, "minutes": int(rules.PIN_LOCK.total_seconds() // 60)}


@sensitive_post_parameters("pin")
@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Log a reader in with card number and PIN; a wrong PIN says how many tries are left, a lock until when."""
    target = safe_next(request, reverse("opac:account"))
    if request.method == "GET" and current_patron(request) is not None:
        return HttpResponseRedirect(target)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            login_reader(request, form.cleaned_data["card"], form.cleaned_data["pin"])
        except DomainError as exc:
            context = {"form": form, "error": wording.refusal_text(exc), "next": target, **LOCKOUT}
            return render(request, "opac/login.html", context, status=exc.status)
        return HttpResponseRedirect(target, status=303)
    status = 400 if request.method == "POST" else 200
    return render(request, "opac/login.html", {"form": form, "next": target, **LOCKOUT}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the reader session (a staff login in the same browser stays)."""
    logout_reader(request)
    return HttpResponseRedirect(reverse("opac:login"), status=303)
