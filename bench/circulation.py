"""Circulation benchmark: check-out and check-in over HTTP against the real server, beside the raw engine.

    python bench/circulation.py [--items N] [--readers N] [--clients N] [--seconds S]
                                [--database sqlite|postgresql|both] [--workers W] [--keep] [--reuse] [--no-record]

Per database: a fresh database (bench/catalog.py's helpers), migrations, a bulk load of records, items,
readers (one PIN hash for all), 41 libraries, one network-wide circulation rule and one staff login per
client; then gunicorn serving shelfmark.wsgi, C HTTP clients logged in through the staff login page
(session cookie + CSRF token), each looping check-out of a random item to a random reader at the item's
library, then check-in of that item by its QR code, for S seconds. Then the same reads and writes as bare
SQL from one client (the raw engine), and a check of the final state for double loans. Prints one BENCH
line per database and appends it, with the machine and the commit, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench import catalog  # noqa: E402
from bench.catalog import log, percentile  # noqa: E402

PG_DATABASE = "shelfmark_bench_circulation"
PASSWORD = "bench-desk-pass"
SEED = 3
BATCH = 10_000
CITIES, COUNTIES_PER_CITY, TOWNSHIPS_PER_COUNTY = 4, 3, 2
COPIES_PER_RECORD = 4
QR_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # holdings.identity's alphabet: codes look like real ones


# ------------------------------------------------------------------------------------- names of the data


def library_codes() -> list[str]:
    """Codes of the libraries items and readers belong to (cities, counties, townships), in load order."""
    codes = []
    for city in range(1, CITIES + 1):
        codes.append(f"BN-{city:02d}")
        for county in range(1, COUNTIES_PER_CITY + 1):
            codes.append(f"BN-{city:02d}-{county:02d}")
            codes += [f"BN-{city:02d}-{county:02d}-{t:02d}" for t in range(1, TOWNSHIPS_PER_COUNTY + 1)]
    return codes


def barcode(n: int) -> str:
    """The n-th item's barcode (EAN-13 style, as holdings generates them)."""
    from shelfmark.holdings.identity import barcode_for

    return barcode_for(n + 1)


def qr_code(n: int) -> str:
    """The n-th item's QR code: n in base 31 over the unambiguous alphabet, scrambled to look random."""
    value = (n * 2_654_435_761 + 97) % 31**10  # odd multiplier coprime to 31**10: a bijection
    digits = []
    for _ in range(10):
        value, rest = divmod(value, 31)
        digits.append(QR_ALPHABET[rest])
    return "".join(digits)


def card(n: int) -> str:
    return f"R{n + 1:09d}"


def home_of(n: int, codes: list[str]) -> str:
    return codes[n % len(codes)]


# ------------------------------------------------------------------------------------------ the loader


def load_child(items: int, readers: int, clients: int) -> None:
    """In a child process pointed at the bench database: bulk-load the network, records, items, readers, staff."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    django.setup()
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from shelfmark.accounts.models import Role, RoleGrant
    from shelfmark.catalog.models import Record
    from shelfmark.circulation.models import CirculationRule
    from shelfmark.holdings.models import Item
    from shelfmark.libraries import services as libraries
    from shelfmark.libraries.models import Level, Library
    from shelfmark.patrons.models import Patron, PatronCard
    from shelfmark.patrons.pin import hash_pin

    started = time.perf_counter()
    now = timezone.now()
    province = libraries.create_library(code="BN", name="基准省馆", level=Level.PROVINCE)
    by_code: dict[str, Library] = {}
    for code in library_codes():
        depth = code.count("-")
        level = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)[depth - 1]
        parent = province if depth == 1 else by_code[code.rsplit("-", 1)[0]]
        by_code[code] = libraries.create_library(code=code, name=f"基准{code}", level=level, parent=parent)
    codes = library_codes()
    ids = [by_code[code].pk for code in codes]
    CirculationRule.objects.create(
        name="基准规则", loan_days=30, max_loans=50, renewals=1, fine_per_day=Decimal("0.10"), fine_cap=Decimal("10")
    )
    user_model = get_user_model()
    staff = user_model(username="bench-desk-00", is_staff=True)
    staff.set_password(PASSWORD)  # one slow hash, copied to every desk login
    users = user_model.objects.bulk_create(
        [user_model(username=f"bench-desk-{n:02d}", is_staff=True, password=staff.password) for n in range(clients)]
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=Role.CIRCULATION, library=province) for user in users)

    records = max(1, items // COPIES_PER_RECORD)
    for start in range(0, records, BATCH):
        with transaction.atomic():
            Record.objects.bulk_create(
                Record(
                    control_number=f"bench-{n}",
                    marc_format="marc21",
                    marc={"leader": "00000nam a2200000 a 4500", "fields": []},
                    title=f"基准图书第{n + 1}种",
                    clc_class="I247",
                )
                for n in range(start, min(records, start + BATCH))
            )
    first_record = Record.objects.order_by("id").values_list("id", flat=True).first() or 0
    log(f"loader: {records} records in {time.perf_counter() - started:.1f} s")
    for start in range(0, items, BATCH):
        with transaction.atomic():
            Item.objects.bulk_create(
                Item(
                    record_id=first_record + n // COPIES_PER_RECORD,
                    barcode=barcode(n),
                    qr_code=qr_code(n),
                    call_number=f"I247/{n // COPIES_PER_RECORD}",
                    home_library_id=ids[n % len(ids)],
                    current_library_id=ids[n % len(ids)],
                    item_type="book",
                    price=Decimal("35.00"),
                    status="available",
                    status_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
                for n in range(start, min(items, start + BATCH))
            )
    log(f"loader: {items} items in {time.perf_counter() - started:.1f} s")
    pin_hash = hash_pin("1234")  # once: a PIN hash is deliberately slow
    expires = date.today() + timedelta(days=5 * 365)
    categories = ["adult"] * 6 + ["senior", "student", "minor", "disabled"]
    for start in range(0, readers, BATCH):
        with transaction.atomic():
            patrons = Patron.objects.bulk_create(
                Patron(
                    card_number=card(n),
                    name=f"读者{n + 1}",
                    category=categories[n % len(categories)],
                    home_library_id=ids[(n * 7) % len(ids)],
                    pin_hash=pin_hash,
                    expires_on=expires,
                    created_at=now,
                    updated_at=now,
                )
                for n in range(start, min(readers, start + BATCH))
            )
            if not all(p.pk for p in patrons):  # SQLite before 3.35 returns no ids from bulk inserts
                patrons = list(Patron.objects.filter(card_number__in=[p.card_number for p in patrons]))
            PatronCard.objects.bulk_create(PatronCard(patron=p, number=p.card_number, issued_at=now) for p in patrons)
    log(f"loader: {readers} readers in {time.perf_counter() - started:.1f} s")


# ------------------------------------------------------------------------------------------- databases


def kept_dir(database: str, items: int, readers: int) -> Path:
    return catalog.DATA / f"kept-circulation-{database}-{items}-{readers}"


def prepare_database(database: str, dbdir: Path, name: str, *, fresh: bool) -> dict[str, str]:
    """Return the environment pointing shelfmark at the bench database, emptied first when `fresh`.

    SQLite runs on the platform's own embedded configuration (DATA_DIR/shelfmark.sqlite3 with WAL, a busy
    timeout and immediate transactions), which a DATABASE_URL would replace.
    """
    if database == "postgresql":
        if fresh:
            return catalog.fresh_database(database, dbdir, name)
        return catalog.database_env(database, dbdir, name)
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            (dbdir / f"shelfmark.sqlite3{suffix}").unlink(missing_ok=True)
    env = catalog.database_env(database, dbdir, name)
    env.pop("DATABASE_URL", None)
    return env


def sqlite_path(env: dict[str, str]) -> Path:
    return Path(env["SHELFMARK_DATA_DIR"]) / "shelfmark.sqlite3"


def connect(database: str, env: dict[str, str]) -> Any:
    """A bare driver connection to the bench database (psycopg or sqlite3), in autocommit mode."""
    if database == "postgresql":
        import psycopg

        return psycopg.connect(env["DATABASE_URL"], autocommit=True)
    import sqlite3

    conn = sqlite3.connect(sqlite_path(env), isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


# ---------------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, workers: int, threads: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start gunicorn on shelfmark.wsgi and wait until it answers."""
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "shelfmark.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--threads", str(threads),
        "--preload",
        "--backlog", "2048",
        "--access-logfile", "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
    ]  # fmt: skip
    with log_path.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            raise SystemExit(f"gunicorn exited with code {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/staff/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process has used, from /proc; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CpuSampler(threading.Thread):
    """Sum the CPU seconds a changing set of processes uses while it runs, sampling every `every` seconds.

    PostgreSQL backends come and go (the settings close connections after 60 s), so totals are kept per
    process: a process first seen after the start counts from zero, one that ends loses at most `every`.
    """

    def __init__(self, groups: dict[str, Callable[[], list[int]]], every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.groups, self.every = groups, every
        self.last: dict[str, dict[int, float]] = {}
        self.totals = dict.fromkeys(groups, 0.0)
        self.halt = threading.Event()
        self.sample(first=True)

    def sample(self, *, first: bool = False) -> None:
        for group, pids in self.groups.items():
            seen = self.last.setdefault(group, {})
            for pid in pids():
                used = _cpu_of(pid)
                if pid not in seen and first:
                    seen[pid] = used
                self.totals[group] += max(0.0, used - seen.get(pid, 0.0))
                seen[pid] = used

    def run(self) -> None:
        while not self.halt.wait(self.every):
            self.sample()

    def stop(self) -> dict[str, float]:
        self.halt.set()
        self.join()
        self.sample()
        return dict(self.totals)


def cpu_probe(server: subprocess.Popen[bytes], database: str, name: str) -> Callable[[], CpuSampler]:
    """Return a function that starts sampling the CPU of the server's workers, the PostgreSQL backends serving
    the bench database (found by the database name in their process title) and this process."""

    def backends() -> list[int]:
        if database != "postgresql":
            return []
        found = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    title = (proc / "cmdline").read_bytes()
                except OSError:
                    continue
                if title.startswith(b"postgres:") and f" {name} ".encode() in title:
                    found.append(int(proc.name))
        return found

    def start() -> CpuSampler:
        sampler = CpuSampler(
            {
                "server": lambda: [server.pid, *_children(server.pid)],
                "database": backends,
                "clients": lambda: [os.getpid()],
            }
        )
        sampler.start()
        return sampler

    return start


# --------------------------------------------------------------------------------------------- clients


@dataclass
class Client:
    """One desk: a keep-alive HTTP connection, logged in as its own staff member."""

    port: int
    username: str
    cookies: dict[str, str] = field(default_factory=dict)
    conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection between two requests: send again once.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            for value in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(value).items():
                    self.cookies[name] = morsel.value
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data
        raise AssertionError("unreachable")

    def login(self) -> None:
        """Log in through the staff login form, as a browser does: CSRF cookie and token, then the session."""
        status, page = self.request("GET", "/staff/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"login page answered {status}")
        form = urlencode({"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        status, _ = self.request("POST", "/staff/login/", form.encode(), headers)
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login of {self.username} failed with {status}")

    def post_json(self, path: str, payload: dict[str, Any]) -> tuple[int, bytes]:
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]}
        return self.request("POST", path, json.dumps(payload).encode(), headers)


@dataclass
class Tally:
    """What one client measured."""

    checkout_ms: list[float] = field(default_factory=list)
    checkin_ms: list[float] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)


def desk_loop(
    client: Client,
    tally: Tally,
    *,
    items: int,
    readers: int,
    codes: list[str],
    stop: threading.Event,
    seed: int,
    record: Callable[[], bool],
    interval: float = 0.0,
) -> None:
    """Lend a random item to a random reader at the item's library, take it back there; repeat until stopped.

    With an `interval`, start a pair every `interval` seconds (a desk with a queue of readers) rather than
    at once after the last; a desk that falls behind starts the next pair at once and drops the debt.
    """
    rng = random.Random(seed)
    next_at = time.perf_counter() + rng.random() * interval
    while not stop.is_set():
        if interval:
            wait = next_at - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            next_at = max(next_at + interval, time.perf_counter())
        n, reader = rng.randrange(items), rng.randrange(readers)
        library = home_of(n, codes)
        started = time.perf_counter()
        status, body = client.post_json(
            "/api/v1/circulation/checkouts", {"item": barcode(n), "card": card(reader), "library": library}
        )
        lent = time.perf_counter()
        if status == 409:  # another desk has this copy right now: the clear refusal the issue asks for
            tally.refused += 1
            continue
        if status != 201:
            tally.errors.append(f"check-out {status} {body[:200]!r}")
            continue
        status, body = client.post_json(
            "/api/v1/circulation/checkins", {"item": f"http://127.0.0.1/i/{qr_code(n)}", "library": library}
        )
        returned = time.perf_counter()
        if status != 200:
            tally.errors.append(f"check-in {status} {body[:200]!r}")
            continue
        if record():
            tally.checkout_ms.append((lent - started) * 1000)
            tally.checkin_ms.append((returned - lent) * 1000)


def run_clients(
    port: int,
    *,
    clients: int,
    items: int,
    readers: int,
    seconds: float,
    warmup: float,
    rate: float = 0.0,
    probe: Callable[[], CpuSampler] | None = None,
) -> tuple[list[Tally], float, dict[str, float]]:
    """Log the desks in, warm the workers up, then let every desk loop for `seconds`; return tallies and time.

    Only pairs that end inside the measured window count. With `rate` (operations per second over all desks),
    each desk starts a pair every 2 * clients / rate seconds instead of at once after the last.
    """
    desks = [Client(port, f"bench-desk-{n:02d}") for n in range(clients)]
    failed: list[str] = []

    def login(desk: Client) -> None:
        try:
            desk.login()
        except (SystemExit, OSError) as exc:  # a thread swallows SystemExit: hand it to the main thread
            failed.append(f"{desk.username}: {exc}")

    login_threads = [threading.Thread(target=login, args=(desk,)) for desk in desks]
    for thread in login_threads:
        thread.start()
    for thread in login_threads:
        thread.join()
    if failed:
        raise SystemExit(
            f"{len(failed)} desks could not log in (a kept database loaded for fewer clients?): {failed[:3]}"
        )
    codes = library_codes()
    stop = threading.Event()
    window: dict[str, float] = {}

    def recording() -> bool:
        return "start" in window and "end" not in window

    tallies = [Tally() for _ in desks]
    threads = [
        threading.Thread(
            target=desk_loop,
            args=(desk, tally),
            kwargs={
                "items": items,
                "readers": readers,
                "codes": codes,
                "stop": stop,
                "seed": SEED * 1000 + n,
                "record": recording,
                "interval": 2 * clients / rate if rate else 0.0,
            },
        )
        for n, (desk, tally) in enumerate(zip(desks, tallies, strict=True))
    ]
    for thread in threads:
        thread.start()
    time.sleep(warmup)
    sampler = probe() if probe else None
    window["start"] = time.perf_counter()
    time.sleep(seconds)
    window["end"] = time.perf_counter()
    cpu = sampler.stop() if sampler else {}
    stop.set()
    for thread in threads:
        thread.join()
    return tallies, window["end"] - window["start"], cpu


# -------------------------------------------------------------------------------------------- raw engine


RAW_ACTOR_NOTE = "raw"


def raw_engine(
    database: str, env: dict[str, str], *, items: int, readers: int, seconds: float
) -> tuple[int, list[float]]:
    """One client doing a check-out's and a check-in's reads and writes as bare SQL; returns (ops, latencies)."""
    conn = connect(database, env)
    pg = database == "postgresql"
    mark = "%s" if pg else "?"
    begin = "BEGIN" if pg else "BEGIN IMMEDIATE"
    lock = " FOR UPDATE" if pg else ""

    def q(sql: str) -> str:
        return sql.replace("%s", mark)

    def stamp() -> datetime:
        # Django keeps aware times in UTC; on SQLite it writes them as naive text, so the driver gets naive UTC.
        moment = datetime.now(UTC)
        return moment if pg else moment.replace(tzinfo=None)

    rule_id = conn.execute("SELECT id FROM circulation_circulationrule").fetchone()[0]
    library_ids = dict(conn.execute("SELECT code, id FROM libraries_library").fetchall())
    rng = random.Random(SEED)
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    today = date.today()
    while time.perf_counter() < deadline:
        n, reader = rng.randrange(items), rng.randrange(readers)
        library = library_ids[home_of(n, library_codes())]
        now = stamp()
        started = time.perf_counter()
        conn.execute(begin)
        item_id, status, record_id = conn.execute(
            q("SELECT id, status, record_id FROM holdings_item WHERE barcode = %s" + lock), (barcode(n),)
        ).fetchone()
        patron_id, category = conn.execute(
            q("SELECT id, category FROM patrons_patron WHERE card_number = %s" + lock), (card(reader),)
        ).fetchone()
        if status != "available":
            conn.execute("ROLLBACK")
            continue
        conn.execute(
            q(
                "INSERT INTO circulation_loan (item_id, patron_id, reader_key, patron_category, library_id, status, "
                "checked_out_at, due_on, renewals, rule_id, max_renewals, loan_days, fine_per_day, fine_cap, "
                "grace_days, override_reason, overdue_notices) "
                "VALUES (%s, %s, %s, %s, %s, 'active', %s, %s, 0, %s, 1, 30, 0.10, 10, 0, '', 0)"
            ),
            (item_id, patron_id, f"raw{patron_id}", category, library, now, today + timedelta(days=30), rule_id),
        )
        _raw_item_change(conn, q, item_id, "available", "on_loan", library, now)
        _raw_event(conn, q, "check_out", patron_id, category, item_id, record_id, library, now)
        conn.execute("COMMIT")
        lent = time.perf_counter()
        now = stamp()
        conn.execute(begin)
        conn.execute(q("SELECT id FROM holdings_item WHERE qr_code = %s" + lock), (qr_code(n),)).fetchone()
        (loan_id,) = conn.execute(
            q("SELECT id FROM circulation_loan WHERE item_id = %s AND status = 'active'" + lock), (item_id,)
        ).fetchone()
        conn.execute(q("UPDATE patrons_patron SET on_time_returns = on_time_returns + 1 WHERE id = %s"), (patron_id,))
        conn.execute(
            q(
                "UPDATE circulation_loan SET status = 'returned', returned_at = %s, returned_library_id = %s, "
                "patron_id = NULL WHERE id = %s"
            ),
            (now, library, loan_id),
        )
        _raw_item_change(conn, q, item_id, "on_loan", "available", library, now)
        _raw_event(conn, q, "check_in", patron_id, category, item_id, record_id, library, now)
        conn.execute("COMMIT")
        returned = time.perf_counter()
        latencies += [(lent - started) * 1000, (returned - lent) * 1000]
    conn.close()
    return len(latencies), latencies


def _raw_item_change(
    conn: Any, q: Callable[[str], str], item_id: int, old: str, new: str, library: int, now: datetime
) -> None:
    conn.execute(
        q("UPDATE holdings_item SET status = %s, status_changed_at = %s, updated_at = %s WHERE id = %s"),
        (new, now, now, item_id),
    )
    conn.execute(
        q(
            "INSERT INTO holdings_itemstatuschange (item_id, from_status, to_status, library_id, reason, changed_at) "
            "VALUES (%s, %s, %s, %s, '', %s)"
        ),
        (item_id, old, new, library, now),
    )
    conn.execute(
        q(
            "INSERT INTO core_auditevent (kind, object_type, object_id, data, created_at) "
            "VALUES ('holdings.item_status_changed', 'holdings.item', %s, %s, %s)"
        ),
        (str(item_id), json.dumps({"from": old, "to": new, "note": RAW_ACTOR_NOTE}), now),
    )


def _raw_event(
    conn: Any,
    q: Callable[[str], str],
    kind: str,
    patron_id: int,
    category: str,
    item_id: int,
    record_id: int,
    library: int,
    now: datetime,
) -> None:
    conn.execute(
        q(
            "INSERT INTO circulation_circulationevent (kind, at, reader_key, patron_category, item_id, record_id, "
            "library_id, item_type) VALUES (%s, %s, %s, %s, %s, %s, %s, 'book')"
        ),
        (kind, now, f"raw{patron_id}", category, item_id, record_id, library),
    )
    conn.execute(
        q(
            "INSERT INTO core_auditevent (kind, object_type, object_id, data, created_at) "
            "VALUES (%s, 'circulation.loan', %s, %s, %s)"
        ),
        (f"loan.{kind}", str(item_id), json.dumps({"note": RAW_ACTOR_NOTE}), now),
    )


# ---------------------------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class FinalState:
    items_with_two_active_loans: int
    active_loans_not_on_loan: int
    on_loan_without_active_loan: int
    active_loans: int
    loans: int

    @property
    def double_loans(self) -> int:
        return self.items_with_two_active_loans + self.active_loans_not_on_loan + self.on_loan_without_active_loan


def final_state(database: str, env: dict[str, str]) -> FinalState:
    """Count, in SQL, items lent twice at once and loans whose item does not say it is on loan (and back)."""
    conn = connect(database, env)
    one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    state = FinalState(
        items_with_two_active_loans=one(
            "SELECT count(*) FROM (SELECT item_id FROM circulation_loan WHERE status = 'active' "
            "GROUP BY item_id HAVING count(*) > 1) AS twice"
        ),
        active_loans_not_on_loan=one(
            "SELECT count(*) FROM circulation_loan l JOIN holdings_item i ON i.id = l.item_id "
            "WHERE l.status = 'active' AND i.status <> 'on_loan'"
        ),
        on_loan_without_active_loan=one(
            "SELECT count(*) FROM holdings_item i WHERE i.status = 'on_loan' AND NOT EXISTS "
            "(SELECT 1 FROM circulation_loan l WHERE l.item_id = i.id AND l.status = 'active')"
        ),
        active_loans=one("SELECT count(*) FROM circulation_loan WHERE status = 'active'"),
        loans=one("SELECT count(*) FROM circulation_loan"),
    )
    conn.close()
    return state


# ------------------------------------------------------------------------------------------------ main


@dataclass
class Options:
    items: int
    readers: int
    clients: int
    seconds: float
    workers: int
    threads: int
    warmup: float
    raw_seconds: float
    keep: str
    rate: float
    redis: str = ""


def bench_database(database: str, opts: Options) -> str:
    """Load a fresh database (or reuse a kept one), serve it with gunicorn, drive the desks, check the state."""
    kept = kept_dir(database, opts.items, opts.readers)
    name = f"{PG_DATABASE}_{opts.items}" if opts.keep else PG_DATABASE
    reused = opts.keep == "reuse" and (kept / "loaded").exists()
    with tempfile.TemporaryDirectory(prefix=f"shelfmark-bench-circulation-{database}-") as tmp:
        workdir = Path(tmp)
        if opts.keep:
            kept.mkdir(parents=True, exist_ok=True)
        dbdir = kept if opts.keep else workdir
        try:
            env = prepare_database(database, dbdir, name, fresh=not reused)
            if database == "postgresql" and opts.redis:
                env["SHELFMARK_CACHE_URL"] = opts.redis  # production shape: sessions read from Redis
            log(f"{database}: migrating {'the kept' if reused else 'a fresh'} database")
            catalog.run_child([*catalog.shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
            if not reused:
                (kept / "loaded").unlink(missing_ok=True)
                log(f"{database}: loading {opts.items} items and {opts.readers} readers")
                seconds, _ = catalog.run_child(
                    [
                        sys.executable,
                        str(Path(__file__)),
                        "--load-child",
                        str(opts.items),
                        str(opts.readers),
                        str(opts.clients),
                    ],
                    env,
                    workdir / "load.log",
                )
                log(f"{database}: loaded in {seconds:.1f} s")
                if opts.keep:
                    (kept / "loaded").write_text(f"{opts.items} {opts.readers}\n")
            catalog.settle(database, env)
            busy = os.getloadavg()[0]  # what else runs on the machine (the bench holds /tmp/bench.lock only)
            port = free_port()
            server = start_server(env, port, opts.workers, opts.threads, workdir / "gunicorn.log")
            try:
                log(f"{database}: {opts.clients} desks against {opts.workers} gunicorn workers for {opts.seconds} s")
                tallies, elapsed, cpu = run_clients(
                    port,
                    clients=opts.clients,
                    items=opts.items,
                    readers=opts.readers,
                    seconds=opts.seconds,
                    warmup=opts.warmup,
                    rate=opts.rate,
                    probe=cpu_probe(server, database, name),
                )
            finally:
                stop_server(server)
            log(f"{database}: raw engine, one client, {opts.raw_seconds} s")
            raw_ops, raw_ms = raw_engine(
                database, env, items=opts.items, readers=opts.readers, seconds=opts.raw_seconds
            )
            state = final_state(database, env)
        finally:
            if not opts.keep:
                catalog.drop_database(database, name)
    checkout_ms = [ms for tally in tallies for ms in tally.checkout_ms]
    checkin_ms = [ms for tally in tallies for ms in tally.checkin_ms]
    errors = [error for tally in tallies for error in tally.errors]
    for error in errors[:5]:
        log(f"{database}: error: {error}")
    both = checkout_ms + checkin_ms
    if not both:
        raise SystemExit(f"{database}: no operation completed; errors: {errors[:3]}")
    ops_per_s = len(both) / elapsed

    def per_op(group: str) -> float:
        # CPU milliseconds per operation: with 2 cores, 2,000 / (the three summed) bounds the rate.
        return cpu.get(group, 0.0) * 1000 / max(1, len(both))

    raw_per_s = raw_ops / opts.raw_seconds
    log(f"{database}: final state {state}")
    return (
        f"BENCH circulation db={database} items={opts.items} clients={opts.clients} ops_per_s={ops_per_s:.0f} "
        f"p95_ms={percentile(both, 0.95):.1f} double_loans={state.double_loans} readers={opts.readers} "
        f"workers={opts.workers}x{opts.threads} checkout_p95_ms={percentile(checkout_ms, 0.95):.1f} "
        f"checkin_p95_ms={percentile(checkin_ms, 0.95):.1f} p50_ms={percentile(both, 0.50):.1f} "
        f"refused={sum(t.refused for t in tallies)} errors={len(errors)} active_loans={state.active_loans} "
        f"raw_ops_per_s={raw_per_s:.0f} raw_p95_ms={percentile(raw_ms, 0.95):.2f} "
        f"ratio={ops_per_s / raw_per_s:.2f} server_cpu_ms_per_op={per_op('server'):.2f} "
        f"db_cpu_ms_per_op={per_op('database'):.2f} client_cpu_ms_per_op={per_op('clients'):.2f} "
        f"loadavg_before={busy:.1f} cache={'redis' if database == 'postgresql' and opts.redis else 'none'}"
        + (f" offered_ops_per_s={opts.rate:g}" if opts.rate else "")
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--readers", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (gthread when above 1)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--raw-seconds", type=float, default=10.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=0.0,
        help="pace the desks to this many operations/s in all (0: as fast as they can)",
    )
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/15",
        help="PostgreSQL runs as in production, with Redis for sessions and the cache ('' for none)",
    )
    parser.add_argument("--no-record", action="store_true", help="print the BENCH lines without appending them")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database (bench/data/kept-circulation-*)")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database instead of loading (not recorded)")
    parser.add_argument(
        "--load-child", nargs=3, type=int, metavar=("ITEMS", "READERS", "CLIENTS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.load_child:
        load_child(*args.load_child)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    opts = Options(
        items=args.items,
        readers=args.readers,
        clients=args.clients,
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        warmup=args.warmup,
        raw_seconds=min(args.raw_seconds, args.seconds),
        keep="reuse" if args.reuse else ("keep" if args.keep else ""),
        rate=args.rate,
        redis=args.redis,
    )
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    source = f"circulation over HTTP, {opts.readers} readers, {opts.seconds:g} s"
    recorded = 0
    for database in databases:
        line = bench_database(database, opts)
        print(line, flush=True)
        if not args.no_record and not args.reuse:
            catalog.append_results(line, source, first=recorded == 0)
            recorded += 1


if __name__ == "__main__":
    main()
