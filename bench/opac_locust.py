"""Locust users for bench/opac.py: readers who search, open a title, and now and then scan a copy's QR code.

Run by bench/opac.py (`locust -f bench/opac_locust.py --headless ...`), which passes through the environment:

    BENCH_OPAC_DATA     JSON file: {"queries": [...], "record_ids": [...], "item_codes": [...]} from the bench database
    BENCH_OPAC_THINK    mean think time in seconds between two pages of one reader (0: none, a closed loop)
    BENCH_OPAC_WARMUP   seconds after the start whose requests are not kept
    BENCH_OPAC_SECONDS  seconds of the measured window after the warm-up
    BENCH_OPAC_SAMPLES  JSON file written at the end: every request of the window (kind, start, ms, failed)
    BENCH_OPAC_WINDOW   file written when the test starts, holding the window's start (Unix time)

Each reader loops: the search page for a query of the catalogue benchmark's fixed mix (URL-encoded into
/search/?q=), the record page of a title that exists, and every third round the page a copy's QR code opens
(/i/<code>). Requests are named "search", "record" and "item" so locust's CSV has a line for each kind. Locust's
own statistics round to 10 ms above 100 ms and include the warm-up, so the bench reads the exact times kept here.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from locust import FastHttpUser, between, constant, events, task

DATA = json.loads(Path(os.environ["BENCH_OPAC_DATA"]).read_text(encoding="utf-8"))
THINK = float(os.environ.get("BENCH_OPAC_THINK", "0"))
WARMUP = float(os.environ.get("BENCH_OPAC_WARMUP", "0"))
SECONDS = float(os.environ.get("BENCH_OPAC_SECONDS", "60"))
ITEM_EVERY = 3
SEED = 5

window: dict[str, float] = {}
samples: list[tuple[str, float, float, bool]] = []


@events.test_start.add_listener
def _start(environment: Any, **_kwargs: Any) -> None:
    window["start"] = time.time() + WARMUP
    window["end"] = window["start"] + SECONDS
    marker = os.environ.get("BENCH_OPAC_WINDOW")
    if marker:
        Path(marker).write_text(f"{window['start']}\n")


@events.request.add_listener
def _request(
    name: str, response_time: float, exception: BaseException | None, start_time: float | None = None, **_kwargs: Any
) -> None:
    started = start_time or time.time() - response_time / 1000
    if window and window["start"] <= started < window["end"]:
        samples.append((name, started, response_time, exception is not None))


@events.test_stop.add_listener
def _stop(environment: Any, **_kwargs: Any) -> None:
    out = os.environ.get("BENCH_OPAC_SAMPLES")
    if out:
        Path(out).write_text(json.dumps({"window": window, "samples": samples}))


class Reader(FastHttpUser):
    """One reader at a phone or a catalogue PC: search, open a hit's title, sometimes scan a copy."""

    wait_time = between(THINK / 2, THINK * 3 / 2) if THINK > 0 else constant(0)
    started = 0

    def on_start(self) -> None:
        Reader.started += 1
        self.rng = random.Random(SEED * 1000 + Reader.started)  # each reader its own fixed walk
        self.rounds = 0

    @task
    def browse(self) -> None:
        q = self.rng.choice(DATA["queries"])
        self.client.get(f"/search/?q={quote(q)}", name="search")
        self.wait()
        self.client.get(f"/records/{self.rng.choice(DATA['record_ids'])}/", name="record")
        self.rounds += 1
        if self.rounds % ITEM_EVERY == 0 and DATA["item_codes"]:
            self.wait()
            self.client.get(f"/i/{self.rng.choice(DATA['item_codes'])}", name="item")
