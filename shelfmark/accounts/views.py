"""Staff login, logout and the home page of the staff shell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import user_passes_test
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shelfmark.accounts.models import RoleGrant


def _is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anyone who is not a logged-in staff member to the staff login page."""
    return user_passes_test(_is_staff, login_url="accounts:login")(view)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    next_page = "accounts:login"


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the staff member's roles and the way into each module (modules link here by URL name only)."""
    user = request.user
    assert not isinstance(user, AnonymousUser)  # staff_required lets in logged-in staff only
    context = {
        "grants": RoleGrant.objects.filter(user=user).select_related("library").order_by("library__path"),
    }
    return render(request, "accounts/home.html", context)
