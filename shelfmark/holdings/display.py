"""How an item's record is named on labels, at the desk and in the API."""

from __future__ import annotations

import re

_SUBTITLE = re.compile(r"\s+[:=/;]\s*|[：＝]")


def short_title(title: str) -> str:
    """Return the title proper: what comes before the subtitle, parallel title or responsibility."""
    proper = _SUBTITLE.split(title.strip(), maxsplit=1)[0]
    return proper.strip(" .,;:/=") or title.strip()
