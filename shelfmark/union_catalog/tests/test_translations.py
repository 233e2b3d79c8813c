"""The union catalogue's own message catalogues (shelfmark/union_catalog/locale) are complete, keep placeholders,
are compiled, and its refusals read in Chinese by default and in English under en."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from shelfmark.union_catalog.errors import HarvestFailed, SourceNotFound

LOCALE = Path(__file__).resolve().parents[1] / "locale"
CATALOGUES = [LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("zh_Hans", "en")]
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]")


def _entries(path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(path)) if not entry.obsolete]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parent.parent.name)
def test_every_message_is_translated_keeps_its_placeholders_and_is_compiled(path):
    entries = _entries(path)
    assert entries
    assert [e.msgid for e in entries if not e.msgstr.strip() or "fuzzy" in e.flags] == []
    assert [
        e.msgid for e in entries if sorted(PLACEHOLDER.findall(e.msgstr)) != sorted(PLACEHOLDER.findall(e.msgid))
    ] == []
    with path.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    assert {key: value for key, value in compiled.items() if key} == {e.msgid: e.msgstr for e in entries}


def test_no_english_translation_is_left_in_chinese():
    assert [e.msgid for e in _entries(CATALOGUES[1]) if HAN.search(e.msgstr)] == []


def test_refusals_read_in_chinese_by_default_and_in_english_under_en():
    with translation.override("zh-hans"):
        chinese = SourceNotFound(code="LN-DL").message
    with translation.override("en"):
        english = HarvestFailed(code="LN-DL", problem="HTTP 503").message

    assert chinese == "没有代码为 LN-DL 的成员馆来源。"
    assert english == "Harvesting LN-DL failed: HTTP 503"
