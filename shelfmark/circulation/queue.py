"""Who gets a returned copy: the oldest booking, unless a booking for pickup nearer the copy is almost as old."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Candidate:
    """A waiting hold as the queue sees it: when it was placed and where it will be collected."""

    hold_id: int
    placed_at: datetime
    pickup_path: str


def shared_depth(path_a: str, path_b: str) -> int:
    """Count the tree levels two materialized paths ("/1/4/9/") have in common."""
    depth = 0
    for a, b in zip(path_a.strip("/").split("/"), path_b.strip("/").split("/"), strict=False):
        if a != b:
            break
        depth += 1
    return depth


def choose_hold(candidates: Sequence[Candidate], *, copy_path: str, near_window: timedelta) -> Candidate | None:
    """Pick the hold a copy at `copy_path` fills: within `near_window` of the oldest hold, the nearest pickup wins.

    Placement order is the rule; the window bounds how long the oldest reader can be passed over for one whose
    pickup point is closer to the copy (same library, then same county, then same city), which saves a transit.
    """
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c.placed_at, c.hold_id))
    oldest = ordered[0]
    window = [c for c in ordered if c.placed_at <= oldest.placed_at + near_window]
    # max() keeps the first of equals, and `window` is in placement order: ties go to the older hold.
    return max(window, key=lambda c: shared_depth(c.pickup_path, copy_path))
