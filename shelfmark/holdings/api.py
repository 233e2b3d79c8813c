"""Holdings endpoints under /api/v1/holdings/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["holdings"])
