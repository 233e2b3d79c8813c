"""Fines endpoints under /api/v1/fines/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["fines"])
