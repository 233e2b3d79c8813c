"""Refusals read in the page's language, and every committed catalogue is complete and compiled from its .po."""

from __future__ import annotations

import gettext
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import polib
import pytest
from django.utils import translation

from shelfmark.circulation.errors import ItemAlreadyOnLoan, PatronBlocked
from shelfmark.holdings.errors import ItemNotFound
from shelfmark.holdings.models import ItemStatus
from shelfmark.patrons.errors import PinIncorrect
from shelfmark.patrons.models import Category
from shelfmark.patrons.rules import computed_blocks, credit_standing

PACKAGE = Path(__file__).resolve().parents[2]
PROJECT = PACKAGE / "locale"
OPAC = PACKAGE / "opac" / "locale"
CATALOGUES = [root / lang / "LC_MESSAGES" / "django.po" for root in (PROJECT, OPAC) for lang in ("zh_Hans", "en")]
HAN = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[^{}]*\}|%\([a-z_]+\)[sd]")


def _entries(po_path: Path) -> list[polib.POEntry]:
    return [entry for entry in polib.pofile(str(po_path)) if not entry.obsolete]


def _texts(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def _name(po_path: Path) -> str:
    return str(po_path.relative_to(PACKAGE))


def test_a_blocked_reader_is_refused_in_chinese_by_default():
    with translation.override("zh-hans"):
        plain = PatronBlocked(reasons="x")
        blocks = computed_blocks(
            expires_on=date(2026, 1, 31), today=date(2026, 3, 1), fines_owed=Decimal("12.50"), fines_limit=Decimal("10")
        )
        refused = PatronBlocked(reasons=" ".join(block.reason for block in blocks))

    assert plain.message == "该读者已停借：x"
    assert refused.message == "该读者已停借：读者证已于 2026-01-31 到期。 欠款 12.50 元，超过 10 元的上限。"


def test_loan_and_pin_refusals_are_chinese_under_zh_hans():
    with translation.override("zh-hans"):
        on_loan = ItemAlreadyOnLoan(barcode="SY0001", to_whom=translation.gettext(" to this reader"))
        wrong_pin = PinIncorrect(tries_left=2, minutes=15)
        not_found = ItemNotFound(scanned="XYZ")

    assert on_loan.message == "单册 SY0001 已经借出，借阅人就是该读者。"
    assert wrong_pin.message == "密码不正确。再错 2 次，读者证将被锁定 15 分钟。"
    assert not_found.message == "找不到单册：XYZ（条码、二维码或二维码网址都未匹配）。"


def test_the_same_refusals_read_in_english_under_en():
    with translation.override("en"):
        on_loan = ItemAlreadyOnLoan(barcode="SY0001", to_whom=translation.gettext(" to this reader"))
        not_found = ItemNotFound(scanned="XYZ")

    assert on_loan.message == "Item SY0001 is already on loan to this reader."
    assert not_found.message == "No item found for XYZ (no barcode, QR code or QR address matches)."


def test_credit_reasons_follow_the_language():
    def reasons() -> list[str]:
        standing = credit_standing(on_time_returns=3, late_returns=0, lost_items=0, fines_owed=Decimal("0"))
        return [reason.message for reason in standing.reasons]

    with translation.override("zh-hans"):
        chinese = reasons()
    with translation.override("en"):
        english = reasons()

    assert chinese == ["起始分", "按时归还 3 次"]
    assert english == ["Starting score", "3 on-time returns"]


def test_item_status_and_reader_category_labels_are_english_under_en():
    with translation.override("en"):
        statuses = {status.value: str(status.label) for status in ItemStatus}
        categories = {category.value: str(category.label) for category in Category}

    assert statuses["available"] == "On the shelf"
    assert statuses["in_transit"] == "In transit"
    assert statuses["withdrawn"] == "Withdrawn"
    assert categories["senior"] == "Senior"
    assert not [label for label in [*statuses.values(), *categories.values()] if HAN.search(label)]


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_name)
def test_every_message_is_translated_and_none_is_fuzzy(po_path):
    entries = _entries(po_path)

    untranslated = [entry.msgid for entry in entries if not all(text.strip() for text in _texts(entry))]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]

    assert entries
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_name)
def test_every_translation_keeps_the_placeholders_of_its_source(po_path):
    broken = [
        (entry.msgid, text)
        for entry in _entries(po_path)
        for text in _texts(entry)
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry.msgid))
    ]

    assert broken == []


@pytest.mark.parametrize("po_path", [path for path in CATALOGUES if "/en/" in str(path)], ids=_name)
def test_no_english_translation_is_a_copy_of_the_chinese(po_path):
    chinese = [entry.msgid for entry in _entries(po_path) if any(HAN.search(text) for text in _texts(entry))]

    assert chinese == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=_name)
def test_the_committed_mo_holds_exactly_the_po(po_path):
    """After editing a .po: `cd shelfmark && ../.venv/bin/shelfmark compilemessages -l zh_Hans -l en`."""
    expected: dict[object, str] = {}
    for entry in _entries(po_path):
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            expected.update({(key, int(index)): text for index, text in entry.msgstr_plural.items()})
        else:
            expected[key] = entry.msgstr

    with po_path.with_suffix(".mo").open("rb") as compiled:
        catalogue = dict(gettext.GNUTranslations(compiled)._catalog)  # type: ignore[attr-defined]
    catalogue.pop("", None)

    assert catalogue == expected


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_opac_agrees_with_the_project_catalogue_on_shared_messages(lang):
    """LOCALE_PATHS wins over an app's locale dir, so opac's copy of a shared msgid must say the same."""
    project = {
        (entry.msgctxt, entry.msgid): _texts(entry) for entry in _entries(PROJECT / lang / "LC_MESSAGES" / "django.po")
    }
    opac = {
        (entry.msgctxt, entry.msgid): _texts(entry) for entry in _entries(OPAC / lang / "LC_MESSAGES" / "django.po")
    }

    disagreeing = {
        key: (project[key], texts) for key, texts in opac.items() if key in project and project[key] != texts
    }

    assert disagreeing == {}
