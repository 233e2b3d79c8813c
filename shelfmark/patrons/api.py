"""Patrons endpoints under /api/v1/patrons/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["patrons"])
