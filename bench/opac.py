"""OPAC benchmark: the public search and record pages under locust against the real server, beside the raw engine.

    python bench/opac.py [--records N] [--users N] [--seconds S] [--database sqlite|postgresql|both]
                         [--workers W] [--think T] [--warmup S] [--keep] [--reuse] [--no-record]

Per database: the generated catalogue of N records imported with `shelfmark import-marc` (bench/catalog.py's
file and helpers; a database kept by `bench/catalog.py --keep` is copied instead of importing again), then a bulk
load of a network of 41 libraries with copies of 60 % of the titles, some of them out on loan; then gunicorn with
W workers serving shelfmark.wsgi (production settings, rate limits off: every user comes from 127.0.0.1), and
locust, headless, with U readers who each search (the catalogue benchmark's fixed query mix), open a title and
every third round scan a copy's QR code, for S seconds after a warm-up. Then, with the server stopped, the same
queries and titles in-process: through the catalogue's search selector, as the bare engine statements, and as
whole pages through Django's test client. Prints one BENCH line per database and appends it, with the machine and
the commit, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench import catalog  # noqa: E402
from bench.catalog import log, percentile  # noqa: E402
from bench.circulation import (  # noqa: E402
    CpuSampler,
    barcode,
    card,
    cpu_probe,
    free_port,
    library_codes,
    qr_code,
    start_server,
    stop_server,
)

PG_DATABASE = "shelfmark_bench_opac"
SEED = 5
BATCH = 10_000
LOCUSTFILE = BENCH / "opac_locust.py"
# Copies per title by its place in the catalogue: 60 % of titles held, 1.2 copies a title, up to 4 libraries each.
COPIES = (0, 1, 2, 1, 3, 0, 1, 0, 2, 4)
# Item statuses per 100 copies: what a record page shows beside "on the shelf".
STATUS_SHARES = (
    ("available", 80), ("on_loan", 12), ("in_transit", 3), ("on_hold_shelf", 2), ("in_processing", 2), ("missing", 1),
)  # fmt: skip
LOCATIONS = ("一楼中文图书借阅区", "二楼社科图书借阅区", "三楼自然科学借阅区", "少儿借阅室", "地方文献阅览室")
READERS = 2_000  # who holds the copies on loan (public pages never show them; the loans give due dates)
SAMPLE_RECORDS, SAMPLE_ITEMS = 5_000, 5_000
BASELINE_RECORDS = 200
WARM_PAGES = 20
MIN_TIMED = 20


# ------------------------------------------------------------------------------------------ the loader


def status_of(n: int) -> str:
    """The n-th copy's status, spread over the catalogue (37 is coprime with 100: every share is hit evenly)."""
    slot = (n * 37) % 100
    for status, share in STATUS_SHARES:
        if slot < share:
            return status
        slot -= share
    raise AssertionError("STATUS_SHARES must add up to 100")


def load_child() -> None:
    """In a child process pointed at the imported catalogue: bulk-load libraries, readers, copies and loans."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from shelfmark.catalog.models import Record
    from shelfmark.circulation.models import Loan
    from shelfmark.holdings.models import Item
    from shelfmark.libraries import services as libraries
    from shelfmark.libraries.models import Level, Library
    from shelfmark.patrons.models import Patron
    from shelfmark.patrons.pin import hash_pin

    started = time.perf_counter()
    now = timezone.now()
    today = date.today()
    province = libraries.create_library(code="BN", name="基准省图书馆", level=Level.PROVINCE)
    by_code: dict[str, Library] = {}
    for code in library_codes():
        depth = code.count("-")
        level = (Level.CITY, Level.COUNTY, Level.TOWNSHIP)[depth - 1]
        parent = province if depth == 1 else by_code[code.rsplit("-", 1)[0]]
        name = f"基准{('市', '县', '乡镇')[depth - 1]}图书馆{code[3:]}"
        by_code[code] = libraries.create_library(code=code, name=name, level=level, parent=parent)
    network = [province.pk, *(by_code[code].pk for code in library_codes())]
    pin_hash = hash_pin("1234")  # once: a PIN hash is deliberately slow
    Patron.objects.bulk_create(
        Patron(
            card_number=card(n),
            name=f"读者{n + 1}",
            home_library_id=network[n % len(network)],
            pin_hash=pin_hash,
            expires_on=today + timedelta(days=5 * 365),
            created_at=now,
            updated_at=now,
        )
        for n in range(READERS)
    )
    readers = list(Patron.objects.order_by("id").values_list("id", flat=True))
    items = loans = titles = 0
    last = 0
    while True:
        chunk = list(Record.objects.filter(id__gt=last).order_by("id").values_list("id", "clc_class")[:BATCH])
        if not chunk:
            break
        last = chunk[-1][0]
        copies: list[Item] = []
        for record_id, clc in chunk:
            k = titles
            titles += 1
            for c in range(COPIES[k % len(COPIES)]):
                n = items + len(copies)
                home = (k * 7 + c * 17) % len(network)
                status = status_of(n)
                here = (home + 1) % len(network) if status == "in_transit" else home
                copies.append(
                    Item(
                        record_id=record_id,
                        barcode=barcode(n),
                        qr_code=qr_code(n),
                        call_number=f"{clc or 'Z'}/{k % 997 + 1}",
                        home_library_id=network[home],
                        current_library_id=network[here],
                        shelving_location=LOCATIONS[k % len(LOCATIONS)],
                        item_type="children" if k % 20 == 0 else "book",
                        status=status,
                        status_changed_at=now - timedelta(days=n % 60),
                        created_at=now - timedelta(days=(n * 13) % 730, minutes=n % 1440),
                        updated_at=now,
                    )
                )
        with transaction.atomic():
            made = Item.objects.bulk_create(copies)
            if not all(item.pk for item in made):  # SQLite before 3.35 returns no ids from bulk inserts
                made = list(Item.objects.filter(barcode__in=[item.barcode for item in copies]))
            lent = [item for item in made if item.status == "on_loan"]
            Loan.objects.bulk_create(
                Loan(
                    item_id=item.pk,
                    patron_id=readers[item.pk % len(readers)],
                    reader_key=f"bench-{readers[item.pk % len(readers)]}",
                    patron_category="adult",
                    library_id=item.home_library_id,
                    status="active",
                    checked_out_at=now - timedelta(days=item.pk % 30),
                    due_on=today + timedelta(days=item.pk % 40 - 8),  # a fifth of them overdue
                    loan_days=30,
                )
                for item in lent
            )
        items += len(copies)
        loans += len(lent)
        if titles % 100_000 < BATCH:
            log(f"loader: {titles} titles, {items} copies, {loans} loans in {time.perf_counter() - started:.1f} s")
    log(f"loader: {titles} titles, {items} copies, {loans} loans in {time.perf_counter() - started:.1f} s")


# ------------------------------------------------------------------------------------------- databases


def kept_dir(database: str, records: int) -> Path:
    return catalog.DATA / f"kept-opac-{database}-{records}"


def connect(database: str, env: dict[str, str]) -> Any:
    """A bare driver connection to the bench database (psycopg or sqlite3)."""
    if database == "postgresql":
        import psycopg

        return psycopg.connect(env["DATABASE_URL"], autocommit=True)
    return sqlite3.connect(env["DATABASE_URL"].removeprefix("sqlite:///"), isolation_level=None, timeout=30)


def copy_kept_catalogue(database: str, records: int, dbdir: Path, name: str) -> dict[str, str] | None:
    """Start from the database `bench/catalog.py --keep` imported from the same file, when there is one."""
    source = catalog.kept_dir(database, records)
    if not (source / "imported").exists():
        return None
    if database == "sqlite":
        env = catalog.fresh_database(database, dbdir, name)
        with sqlite3.connect(source / "bench.sqlite3") as src, sqlite3.connect(dbdir / "bench.sqlite3") as dst:
            src.backup(dst)
        return env
    import psycopg

    with psycopg.connect(catalog.PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {catalog.PG_DATABASE}_{records}")
    return catalog.database_env(database, dbdir, name)


def sample(conn: Any, table: str, column: str, count: int, rng: random.Random) -> list[Any]:
    """Up to `count` values of `column` from rows drawn at random by id (ids are dense after a bulk load)."""
    low, high = conn.execute(f"SELECT min(id), max(id) FROM {table}").fetchone()
    if low is None:
        return []
    wanted = sorted(rng.sample(range(low, high + 1), min(count, high - low + 1)))
    mark = "%s" if not isinstance(conn, sqlite3.Connection) else "?"
    found: list[Any] = []
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        sql = f"SELECT {column} FROM {table} WHERE id IN ({', '.join([mark] * len(part))}) ORDER BY id"
        found += [row[0] for row in conn.execute(sql, part).fetchall()]
    rng.shuffle(found)
    return found


def sqlite_statistics(env: dict[str, str], workdir: Path, *, analyze: bool) -> str:
    """Give SQLite's planner the statistics the platform keeps: import-marc refreshed them, and the nightly job
    would have refreshed them after the copies and loans were loaded, so `shelfmark analyze` runs here
    (sampled, PRAGMA analysis_limit). With --sqlite-analyze, a full ANALYZE instead, for comparison."""
    if not analyze:
        seconds, _ = catalog.run_child([*catalog.shelfmark_command(), "analyze"], env, workdir / "analyze.log")
        log(f"sqlite: shelfmark analyze took {seconds:.1f} s")
        return "platform"
    conn = connect("sqlite", env)
    try:
        started = time.perf_counter()
        conn.execute("ANALYZE")
        log(f"sqlite: full ANALYZE took {time.perf_counter() - started:.1f} s")
        return "analyze"
    finally:
        conn.close()


def counts(conn: Any) -> dict[str, int]:
    one = lambda sql: int(conn.execute(sql).fetchone()[0])  # noqa: E731
    return {
        "titles": one("SELECT count(*) FROM catalog_record"),
        "items": one("SELECT count(*) FROM holdings_item"),
        "held": one("SELECT count(DISTINCT record_id) FROM holdings_item"),
        "loans": one("SELECT count(*) FROM circulation_loan WHERE status = 'active'"),
        "libraries": one("SELECT count(*) FROM libraries_library"),
    }


# -------------------------------------------------------------------------------------------- baseline


def baseline_child(data_path: Path, out_path: Path, budget: float) -> None:
    """In a child process pointed at the bench database, server stopped: the same queries and titles timed one at a
    time through the search selector, as bare engine statements, and as whole pages through Django's test client.

    Each phase stops early once its share of `budget` seconds is spent (after MIN_TIMED of its inputs), so that a
    database on which a page takes seconds still finishes; the output says how many were timed."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    from bench import catalog_search

    data = json.loads(data_path.read_text(encoding="utf-8"))
    queries, record_ids = data["queries"], data["record_ids"][:BASELINE_RECORDS]
    client = Client()

    def page(path: str, params: dict[str, str] | None = None) -> float:
        started = time.perf_counter()
        response = client.get(path, params)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} {params or ''} answered {response.status_code} in-process")
        return elapsed

    def raw_record(record_id: int) -> float:
        # What a developer would write for the page's data: the title's row, then its copies with where they are.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM catalog_record WHERE id = %s", [record_id])
            cursor.fetchall()
            cursor.execute(
                "SELECT i.*, l.name FROM holdings_item i JOIN libraries_library l ON l.id = i.current_library_id "
                "WHERE i.record_id = %s",
                [record_id],
            )
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    def within(inputs: list[Any], share: float, work: Any) -> list[Any]:
        stop = time.monotonic() + budget * share
        done = []
        for n, value in enumerate(inputs):
            if n >= MIN_TIMED and time.monotonic() > stop:
                break
            done.append(work(value))
        return done

    # As catalog_search.measure: every query once through the selector and raw to warm the caches, then timed.
    within(queries, 0.15, lambda q: (catalog_search.time_search(q), catalog_search.time_raw(q)))
    engine = within(queries, 0.25, lambda q: (catalog_search.time_search(q)[0], catalog_search.time_raw(q)[0], q))
    # A few pages warm templates, translations and the QR coder.
    within(queries[:WARM_PAGES], 0.05, lambda q: page("/search/", {"q": q}))
    within(record_ids[:WARM_PAGES], 0.05, lambda record_id: (page(f"/records/{record_id}/"), raw_record(record_id)))
    search_pages = within(queries, 0.3, lambda q: (page("/search/", {"q": q}), q))
    record_pages = within(record_ids, 0.2, lambda record_id: (page(f"/records/{record_id}/"), record_id))
    raw_records = [raw_record(record_id) for _, record_id in record_pages]
    out_path.write_text(
        json.dumps(
            {
                "selector_ms": [ms for ms, _, _ in engine],
                "raw_search_ms": [ms for _, ms, _ in engine],
                "page_search_ms": [ms for ms, _ in search_pages],
                "page_record_ms": [ms for ms, _ in record_pages],
                "raw_record_ms": raw_records,
                "timed": f"{len(engine)}/{len(queries)} queries, {len(search_pages)}/{len(queries)} search pages, "
                f"{len(record_pages)}/{len(record_ids)} record pages",
                "slowest_search_pages": sorted(search_pages, reverse=True)[:8],
                "slowest_record_pages": sorted(record_pages, reverse=True)[:5],
                "slowest_selector": sorted(engine, reverse=True)[:8],
            },
            ensure_ascii=False,
        )
    )


# ---------------------------------------------------------------------------------------------- locust


@dataclass
class Load:
    """What the readers measured in the window: exact times per kind, failures, and CPU by process group."""

    ms: dict[str, list[float]]
    failures: int
    requests: int
    seconds: float
    cpu: dict[str, float]


def run_locust(
    port: int,
    data_path: Path,
    workdir: Path,
    *,
    users: int,
    seconds: float,
    warmup: float,
    think: float,
    probe: Any,
) -> Load:
    """Run locust headless against the server for warm-up + seconds; sample CPU over the measured window."""
    samples_path, marker = workdir / "samples.json", workdir / "window"
    prefix = workdir / "locust"
    env = {
        **os.environ,
        "BENCH_OPAC_DATA": str(data_path),
        "BENCH_OPAC_THINK": str(think),
        "BENCH_OPAC_WARMUP": str(warmup),
        "BENCH_OPAC_SECONDS": str(seconds),
        "BENCH_OPAC_SAMPLES": str(samples_path),
        "BENCH_OPAC_WINDOW": str(marker),
    }
    run_for = max(1, round(warmup + seconds + 1))
    command = [
        str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless",
        "-u", str(users), "-r", str(users), "-t", f"{run_for}s", "--stop-timeout", "10",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    with (workdir / "locust.log").open("wb") as out:
        locust = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            if locust.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write((workdir / "locust.log").read_text(errors="replace")[-4000:])
                raise SystemExit("locust did not start its test")
            time.sleep(0.05)
        time.sleep(max(0.0, float(marker.read_text()) - time.time()))
        server_cpu = probe()
        client_cpu = CpuSampler({"locust": lambda: [locust.pid]})
        client_cpu.start()
        time.sleep(seconds)
        cpu = {**server_cpu.stop(), **client_cpu.stop()}
        locust.wait(timeout=run_for + 60)
    finally:
        if locust.poll() is None:
            locust.kill()
            locust.wait()
    if not samples_path.exists():
        sys.stderr.write((workdir / "locust.log").read_text(errors="replace")[-4000:])
        raise SystemExit(f"locust exited with {locust.returncode} without writing its samples")
    kept = json.loads(samples_path.read_text())
    ms: dict[str, list[float]] = {}
    failures = 0
    for name, _started, elapsed, failed in kept["samples"]:
        failures += bool(failed)
        if not failed:
            ms.setdefault(name, []).append(float(elapsed))
    log_locust_csv(prefix)
    return Load(ms=ms, failures=failures, requests=len(kept["samples"]), seconds=seconds, cpu=cpu)


def log_locust_csv(prefix: Path) -> None:
    """Log locust's own summary (whole run, warm-up included, rounded) beside the exact window, as a cross-check."""
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        return
    with stats.open(newline="") as fh:
        for row in csv.DictReader(fh):
            log(
                f"locust csv {row['Name']}: {row['Request Count']} requests, {row['Failure Count']} failures, "
                f"p50 {row['50%']} ms, p95 {row['95%']} ms, {float(row['Requests/s']):.1f}/s"
            )
    failures = Path(f"{prefix}_failures.csv")
    if failures.exists():
        for line in failures.read_text().splitlines()[1:6]:
            log(f"locust failure: {line[:300]}")


# ------------------------------------------------------------------------------------------------ main


@dataclass
class Options:
    records: int
    users: int
    seconds: float
    workers: int
    think: float
    warmup: float
    keep: str
    baseline_seconds: float
    sqlite_analyze: bool


def prepare(database: str, opts: Options, path: Path, dbdir: Path, workdir: Path, name: str) -> dict[str, str]:
    """Import the catalogue (or copy a kept import) and load the network, or migrate a kept, loaded database."""
    kept = kept_dir(database, opts.records)
    if opts.keep == "reuse" and (kept / "loaded").exists():
        env = catalog.database_env(database, dbdir, name)
        log(f"{database}: reusing the kept database, migrating it")
        catalog.run_child([*catalog.shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
        return env
    (kept / "loaded").unlink(missing_ok=True)
    copied = copy_kept_catalogue(database, opts.records, dbdir, name)
    if copied is not None:
        log(f"{database}: copied the catalogue bench/catalog.py kept for {opts.records} records")
    env = copied or catalog.fresh_database(database, dbdir, name)
    catalog.run_child([*catalog.shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
    if copied is None:
        log(f"{database}: importing {opts.records} records")
        command = [
            *catalog.shelfmark_command(),
            "import-marc",
            str(path),
            "--match",
            "isbn",
            "--rejects-dir",
            str(workdir),
        ]
        seconds, _ = catalog.run_child(command, env, workdir / "import.log")
        log(f"{database}: import took {seconds:.1f} s ({opts.records / seconds:,.0f} records/s)")
    log(f"{database}: loading the network, copies and loans")
    seconds, _ = catalog.run_child([sys.executable, str(Path(__file__)), "--load-child"], env, workdir / "load.log")
    tail = (workdir / "load.log").read_text(errors="replace").strip().splitlines()[-1:]
    log(f"{database}: loaded in {seconds:.1f} s; {' '.join(tail)}")
    if opts.keep:
        (kept / "loaded").write_text(f"{opts.records}\n")
    return env


def bench_database(database: str, opts: Options, path: Path, queries: list[str]) -> str:
    """Prepare the database, serve it with gunicorn, drive it with locust, then time the same work in-process."""
    kept = kept_dir(database, opts.records)
    reused = opts.keep == "reuse" and (kept / "loaded").exists()
    name = f"{PG_DATABASE}_{opts.records}" if opts.keep else PG_DATABASE
    with tempfile.TemporaryDirectory(prefix=f"shelfmark-bench-opac-{database}-") as tmp:
        workdir = Path(tmp)
        if opts.keep:
            kept.mkdir(parents=True, exist_ok=True)
        dbdir = kept if opts.keep else workdir
        try:
            env = prepare(database, opts, path, dbdir, workdir, name)
            catalog.settle(database, env)
            stats = (
                sqlite_statistics(env, workdir, analyze=opts.sqlite_analyze)
                if database == "sqlite"
                else "vacuum_analyze"
            )
            rng = random.Random(SEED)
            conn = connect(database, env)
            sizes = counts(conn)
            data = {
                "queries": queries,
                "record_ids": sample(conn, "catalog_record", "id", SAMPLE_RECORDS, rng),
                "item_codes": sample(conn, "holdings_item", "qr_code", SAMPLE_ITEMS, rng),
            }
            conn.close()
            log(f"{database}: {sizes}")
            data_path = workdir / "data.json"
            data_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            env["SHELFMARK_RATE_LIMITS"] = "off"  # every simulated reader comes from 127.0.0.1
            busy = os.getloadavg()[0]  # what else runs on the machine (the bench holds /tmp/bench.lock only)
            port = free_port()
            server = start_server(env, port, opts.workers, 1, workdir / "gunicorn.log")
            try:
                log(
                    f"{database}: {opts.users} readers (think {opts.think:g} s) against {opts.workers} gunicorn "
                    f"workers, {opts.warmup:g} s warm-up + {opts.seconds:g} s"
                )
                load = run_locust(
                    port,
                    data_path,
                    workdir,
                    users=opts.users,
                    seconds=opts.seconds,
                    warmup=opts.warmup,
                    think=opts.think,
                    probe=cpu_probe(server, database, name),
                )
            finally:
                stop_server(server)
            log(f"{database}: in-process baseline: selector, raw engine and pages, one at a time")
            out_path = workdir / "baseline.json"
            catalog.run_child(
                [
                    sys.executable,
                    str(Path(__file__)),
                    "--baseline-child",
                    str(data_path),
                    str(out_path),
                    str(opts.baseline_seconds),
                ],
                env,
                workdir / "baseline.log",
            )
            base = json.loads(out_path.read_text())
        finally:
            if not opts.keep:
                catalog.drop_database(database, name)
    for key in ("timed", "slowest_search_pages", "slowest_record_pages", "slowest_selector"):
        log(f"{database}: {key}: {base[key]}")
    return (
        bench_line(database, opts, sizes, load, base, busy) + f" stats={stats} data={'reused' if reused else 'loaded'}"
    )


def bench_line(
    database: str, opts: Options, sizes: dict[str, int], load: Load, base: dict[str, Any], busy: float
) -> str:
    def p(values: list[float], share: float) -> str:
        return f"{percentile(values, share):.1f}" if values else "nan"

    def per_request(group: str) -> str:
        # CPU milliseconds per request; with 2 cores, 2,000 / (the three summed) bounds requests_per_s.
        return f"{load.cpu.get(group, 0.0) * 1000 / max(1, load.requests):.2f}"

    search, record, item = (load.ms.get(kind, []) for kind in ("search", "record", "item"))
    search_p95, record_p95 = percentile(search or [0], 0.95), percentile(record or [0], 0.95)
    raw_search_p95 = percentile(base["raw_search_ms"], 0.95)
    raw_record_p95 = percentile(base["raw_record_ms"], 0.95)
    return (
        f"BENCH opac records={opts.records} users={opts.users} search_p95_ms={search_p95:.1f} "
        f"record_p95_ms={record_p95:.1f} errors={load.failures} db={database} think_s={opts.think:g} "
        f"workers={opts.workers} seconds={opts.seconds:g} titles={sizes['titles']} items={sizes['items']} "
        f"libraries={sizes['libraries']} search_p50_ms={p(search, 0.5)} record_p50_ms={p(record, 0.5)} "
        f"item_p95_ms={p(item, 0.95)} requests={load.requests} requests_per_s={load.requests / load.seconds:.1f} "
        f"server_cpu_ms_per_request={per_request('server')} db_cpu_ms_per_request={per_request('database')} "
        f"client_cpu_ms_per_request={per_request('locust')} "
        f"selector_p95_ms={p(base['selector_ms'], 0.95)} raw_search_p95_ms={raw_search_p95:.1f} "
        f"inprocess_search_p95_ms={p(base['page_search_ms'], 0.95)} "
        f"search_vs_raw={search_p95 / max(raw_search_p95, 0.001):.2f} "
        f"inprocess_record_p95_ms={p(base['page_record_ms'], 0.95)} raw_record_p95_ms={raw_record_p95:.2f} "
        f"record_vs_raw={record_p95 / max(raw_record_p95, 0.001):.1f} "
        f"loadavg_before={busy:.1f} ratelimit=off"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="size of the generated catalogue")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users (readers)")
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds, after the warm-up")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds a reader spends on a page before the next (0: none)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=10.0,
        help="seconds of load before measuring (each worker's first search loads"
        " the word segmenter's dictionary: about 1.4 s of CPU)",
    )
    parser.add_argument(
        "--baseline-seconds", type=float, default=300.0, help="time budget of the in-process baseline (it stops early)"
    )
    parser.add_argument(
        "--sqlite-analyze",
        action="store_true",
        help="a full ANALYZE on SQLite after loading instead of the platform's sampled `shelfmark analyze`",
    )
    parser.add_argument("--no-record", action="store_true", help="print the BENCH lines without appending them")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database (bench/data/kept-opac-*)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept, loaded database: the pages only read, so it is recorded"
    )
    parser.add_argument("--load-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline-child", nargs=3, metavar=("DATA", "OUT", "BUDGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_child:
        load_child()
        return
    if args.baseline_child:
        baseline_child(Path(args.baseline_child[0]), Path(args.baseline_child[1]), float(args.baseline_child[2]))
        return
    if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
        raise SystemExit("locust is not installed in this environment: pip install -e '.[dev]'")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    opts = Options(
        records=args.records,
        users=args.users,
        seconds=args.seconds,
        workers=args.workers,
        think=args.think,
        warmup=args.warmup,
        keep="reuse" if args.reuse else ("keep" if args.keep else ""),
        baseline_seconds=args.baseline_seconds,
        sqlite_analyze=args.sqlite_analyze,
    )
    path = catalog.generated_file(opts.records)
    queries = catalog.build_queries(path)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    source = f"OPAC pages over HTTP (locust), generated file {path.name}"
    recorded = 0
    for database in databases:
        line = bench_database(database, opts, path, queries)
        print(line, flush=True)
        if not args.no_record:
            catalog.append_results(line, source, first=recorded == 0)
            recorded += 1


if __name__ == "__main__":
    main()
