"""Template helpers of the reader pages."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


# JSON inside <script>: "<", ">" and "&" as \u escapes, so no text in the data can close the element or open a
# comment, whatever a title holds (Django's json_script does the same, but only for type application/json).
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


@register.simple_tag
def json_ld(data: Any) -> str:
    """Render data as a JSON-LD script element, escaped so that nothing in it can end the element early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def search_link(text: str) -> str:
    """Return the public search address for a text (a subject, a name, a series)."""
    return f"{reverse('opac:search')}?{urlencode({'q': text})}"


@register.simple_tag
def facet_values(values: list[tuple[str, int, str, bool]]) -> str:
    """Render a facet's values as list items of toggling links (label, count, query string, chosen): written here
    rather than as a template loop, which cost more than the search itself for a hundred values."""
    chosen = _("（已选，点击取消）")
    return format_html_join(
        "",
        '<li><a href="{}"{}>{} <span class="count">{}</span>{}</a></li>',
        (
            (
                link,
                mark_safe(' aria-current="true"') if active else "",
                label,
                count,
                format_html('<span class="visually-hidden">{}</span>', chosen) if active else "",
            )
            for label, count, link, active in values
        ),
    )
