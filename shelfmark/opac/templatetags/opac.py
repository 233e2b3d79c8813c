"""Template helpers of the reader pages."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from shelfmark.libraries.models import Library

register = template.Library()


@register.filter
def place(library: Library | None) -> str:
    """Name a library in the page's language: its English name on English pages when it has one."""
    if library is None:
        return ""
    if (get_language() or "").startswith("en") and library.name_en:
        return library.name_en
    return library.name
