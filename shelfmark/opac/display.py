"""Large text and high contrast for elderly and low-vision readers: one cookie, read before the page renders.

The choice lives in a cookie rather than the session so it holds without logging in and on the first paint: the
context processor below puts the classes on <html>, so no script has to run before the page looks right.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from shelfmark.patrons.auth import SESSION_KEY

COOKIE = "shelfmark_display"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600  # a reader who needs large text needs it next year too
TEXT_CHOICES = ("normal", "large")
CONTRAST_CHOICES = ("normal", "high")


@dataclass(frozen=True)
class Display:
    """How the reader wants pages shown."""

    large_text: bool = False
    high_contrast: bool = False

    @property
    def classes(self) -> str:
        """Return the classes for <html>: opac.css keys the large-text and high-contrast styles on them."""
        return " ".join(
            name for name, on in (("text-large", self.large_text), ("contrast-high", self.high_contrast)) if on
        )

    @property
    def cookie_value(self) -> str:
        return (
            "-".join(name for name, on in (("large", self.large_text), ("high", self.high_contrast)) if on) or "normal"
        )


def from_cookie(value: str) -> Display:
    """Read the cookie; anything unknown in it is ignored, so an old or tampered cookie shows the normal page."""
    parts = set(value.split("-")) if value else set()
    return Display(large_text="large" in parts, high_contrast="high" in parts)


def from_request(request: HttpRequest) -> Display:
    return from_cookie(request.COOKIES.get(COOKIE, ""))


def return_address(request: HttpRequest) -> str:
    """Where a switch on this page comes back to: this page if it was a GET; after a post, the page the form was on
    (a same-site Referer), else the reader's account or, for a visitor, the public start page."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    names = ("opac:account",) if request.session.get(SESSION_KEY) else ("opac:search", "opac:login")
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: `display` (the reader's choice) and `here` (the address switches return to,
    worked out only when a template asks for it)."""
    return {"display": from_request(request), "here": partial(return_address, request)}
