"""Notice texts from templates, one pair per kind and language, so librarians can reword them without code.

Templates live in notices/templates/notices/<language>/<kind>.subject.txt and .body.txt. Context each kind reads:
- due_soon, overdue: patron_name, library_name, items (list of {title, due_date, days_overdue (overdue only)})
- hold_ready: patron_name, library_name, title, pickup_name, expires_on
- hold_expired: patron_name, library_name, title, pickup_name
- ill_arrived: patron_name, library_name, title, pickup_name, lender_name, expires_on, due_on (the lender's, or None)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template import Context, engines
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shelfmark.core.errors import InvalidInput
from shelfmark.notices.models import Kind

LANGUAGES = ("zh-hans", "en")


class UnknownNoticeKind(InvalidInput):
    code = "unknown_notice_kind"
    default_message: Any = _("没有“{kind}”类型的通知模板。")


@dataclass(frozen=True)
class RenderedNotice:
    subject: str
    body: str


def notice_language(language: str | None) -> str:
    """Return the template language for a language code: zh-hans unless English (or a variant) is asked for."""
    code = (language or settings.LANGUAGE_CODE).lower()
    if code in LANGUAGES:
        return code
    return "en" if code.split("-")[0] == "en" else "zh-hans"


def render_notice(kind: str, context: Mapping[str, Any], language: str | None = None) -> RenderedNotice:
    """Render a notice's subject and body in the reader's language (zh-Hans by default), as plain text."""
    if kind not in Kind.values:
        raise UnknownNoticeKind(field="kind", kind=kind)
    lang = notice_language(language)
    engine = engines["django"].engine  # type: ignore[attr-defined]
    with translation.override(lang):
        parts = [
            engine.get_template(f"notices/{lang}/{kind}.{part}.txt").render(Context(dict(context), autoescape=False))
            for part in ("subject", "body")
        ]
    return RenderedNotice(subject=" ".join(parts[0].split()), body=parts[1].strip() + "\n")
