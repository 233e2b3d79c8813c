"""Circulation endpoints under /api/v1/circulation/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["circulation"])
