"""Fold Chinese and Latin text to one comparable form: NFKC, simplified characters, lower case.

Shared by extraction (title keys for exact match and dedup) and the search index, so that what is
indexed and what is asked are folded the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
# Any run of spaces (incl. ideographic U+3000 after NFKC) between two CJK characters is not a word break.
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_HAS_CJK = re.compile(rf"[{_CJK}]")


def has_cjk(text: str) -> bool:
    """Tell whether the text holds any Chinese character."""
    return bool(_HAS_CJK.search(text))


@lru_cache(maxsize=65536)
def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified (OpenCC t2s); other text is unchanged."""
    return _T2S.convert(text) if has_cjk(text) else text


def normalize(text: str) -> str:
    """Fold for matching: NFKC (full-width to half-width, U+3000 to space), simplified, lower case, joined CJK."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = _SPACE_BETWEEN_CJK.sub("", folded)
    folded = to_simplified(folded).lower()
    return _SPACES.sub(" ", folded).strip()


def strip_diacritics(text: str) -> str:
    """Remove combining marks so that romanised and accented forms match plain Latin letters."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def title_key(text: str) -> str:
    """Return the exact-match key of a title: normalized, without diacritics, spaces or punctuation."""
    return _NOT_WORD.sub("", strip_diacritics(normalize(text)))[:255]
