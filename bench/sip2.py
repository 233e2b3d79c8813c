"""SIP2 benchmark: N kiosks, each doing patron information + check out + check in in a loop, against a live server.

    python bench/sip2.py [--kiosks 50] [--seconds 60] [--rate 12] [--malformed-share 0.05]
                         [--retry-share 0.02] [--processes N] [--workers N] [--database sqlite|postgresql|both]

For each database: a fresh database, migrations, a seeded network (one terminal account and one reader per
kiosk, four copies per kiosk in one shared pool, so kiosks sometimes reach for the same copy), then
`shelfmark sip2-server` in a child process and N kiosks on one asyncio loop here. Every kiosk logs in, then
until the time is up repeats: patron information with the PIN (63), check out a random copy of the pool (11),
and check it in (09) when it was lent. Each kiosk paces itself at --rate messages per second, as kiosks wait
on readers; all frames carry a sequence number and checksum. A --retry-share of check-outs is sent again on a
new connection, as a kiosk does after a timeout, and must get the same answer without a second loan. A
--malformed-share of messages is preceded by a broken frame (wrong checksum, cut short, bytes that are not
text, an unknown command, a barcode with control characters) that must get the protocol's answer, and another
share is sent split across TCP segments.

At the end the database is checked: every answered check-out made exactly one loan (double_loans counts loans
beyond the answered check-outs, and copies with two active loans), every loan is returned and every copy is
back on the shelf. Prints `BENCH sip2 db=<db> kiosks=<N> msgs_per_s=<x> p95_ms=<y> double_loans=<k>
dropped=<d>` per database and appends it, with the details, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from bench.catalog import (  # noqa: E402
    append_results,
    drop_database,
    fresh_database,
    log,
    percentile,
    run_child,
    settle,
    shelfmark_command,
)

PG_DATABASE = "shelfmark_bench_sip2"
PIN = "1234"
INSTITUTION = "BENCH-SS"
CALL_TIMEOUT = 10.0
LOGIN_TIMEOUT = 300.0


# ------------------------------------------------------------------------------------------- children


def seed_child(out: Path, kiosks: int) -> None:
    """Create the network, the rule, terminals, readers and copies through the services; write them as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    django.setup()
    from decimal import Decimal

    from shelfmark.circulation.models import CirculationRule
    from shelfmark.holdings.tests.factories import make_item, make_record
    from shelfmark.libraries import services as libraries
    from shelfmark.libraries.models import Kind, Level, ServicePoint
    from shelfmark.patrons.tests.factories import make_patron
    from shelfmark.protocols.sip2 import services as sip2

    province = libraries.create_library(code="BENCH", name="基准测试省馆", level=Level.PROVINCE)
    library = libraries.create_library(
        code=INSTITUTION, name="基准测试24小时自助图书馆", level=Level.BRANCH, kind=Kind.SELF_SERVICE, parent=province
    )
    CirculationRule.objects.create(loan_days=30, max_loans=100, renewals=1, fine_per_day=Decimal("0.10"))
    point = libraries.create_service_point(
        library=library, code="BENCH-KIOSKS", name="自助借还机", kind=ServicePoint.Kind.KIOSK
    )
    records = [make_record(f"基准测试图书 {n}") for n in range(max(kiosks, 10))]
    world: dict[str, list] = {"terminals": [], "patrons": [], "items": []}
    for n in range(kiosks):
        password = f"bench-pass-{n}"
        sip2.add_terminal(login=f"bench-{n}", library=library, service_point=point, actor=None, password=password)
        world["terminals"].append([f"bench-{n}", password])
        world["patrons"].append(make_patron(library=library, card_number=f"BR{n:05d}", pin=PIN).card_number)
        for copy in range(4):
            item = make_item(records[(n * 4 + copy) % len(records)], library=library, barcode=f"9{n:05d}{copy}")
            world["items"].append(item.barcode)
    out.write_text(json.dumps(world))


def verify_child(out: Path) -> None:
    """Read the final state: loans made, loans still active, copies with two active loans, copies off the shelf."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    django.setup()
    from django.db.models import Count

    from shelfmark.circulation.models import IdempotencyKey, Loan
    from shelfmark.holdings.models import Item, ItemStatus

    active = Loan.objects.filter(status=Loan.Status.ACTIVE)
    state = {
        "loans": Loan.objects.count(),
        "active_loans": active.count(),
        "items_with_two_active_loans": active.values("item").annotate(n=Count("id")).filter(n__gt=1).count(),
        "items_off_shelf": Item.objects.exclude(status=ItemStatus.AVAILABLE).count(),
        "checkout_keys": IdempotencyKey.objects.filter(operation="check_out").count(),
    }
    out.write_text(json.dumps(state))


# -------------------------------------------------------------------------------------------- kiosks


def checksum(data: bytes) -> bytes:
    return f"{-sum(data) & 0xFFFF:04X}".encode()


@dataclass
class Tally:
    """What the kiosks saw."""

    latencies_ms: list[float] = field(default_factory=list)
    messages: int = 0
    lent: int = 0
    refused: int = 0
    returned: int = 0
    return_failures: int = 0
    retries: int = 0
    retry_mismatches: int = 0
    malformed: int = 0
    malformed_wrong_answers: int = 0
    split: int = 0
    dropped: int = 0
    server_cpu_at_start: float = 0.0
    errors: list[str] = field(default_factory=list)


class Dropped(Exception):
    """The connection failed: closed, reset or silent past the timeout."""


class Kiosk:
    """One self-service machine: its own connection, terminal account, reader and sequence numbers."""

    def __init__(self, n: int, port: int, world: dict, args: argparse.Namespace, tally: Tally) -> None:
        self.n, self.port, self.args, self.tally = n, port, args, tally
        self.login, self.password = world["terminals"][n]
        self.card = world["patrons"][n]
        self.items = world["items"]
        self.rng = random.Random(n)
        self.sequence = 0
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.next_send = 0.0
        self.ready = False

    def frame(self, body: str) -> bytes:
        head = f"{body}AY{self.sequence}AZ".encode()
        self.sequence = (self.sequence + 1) % 10
        return head + checksum(head)

    @staticmethod
    def stamp() -> str:
        return time.strftime("%Y%m%d    %H%M%S")

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        login = self.frame(f"9300CN{self.login}|CO{self.password}|CPBENCH-KIOSKS|")
        # A first login checks a slow password hash; fifty kiosks starting at once queue for it.
        answer = await self.call(login, measure=False, timeout=LOGIN_TIMEOUT)
        if not answer.startswith(b"941"):
            raise RuntimeError(f"kiosk {self.n} could not log in: {answer!r}")
        await self.call(self.frame("9900802.00"), measure=False, timeout=LOGIN_TIMEOUT)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def call(
        self, frame: bytes, *, measure: bool = True, split: bool = False, timeout: float = CALL_TIMEOUT
    ) -> bytes:
        """Send a frame, read the answer; paced at --rate when measured."""
        assert self.reader is not None and self.writer is not None
        if measure:
            delay = self.next_send - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next_send = max(self.next_send, time.monotonic()) + 1 / self.args.rate
        started = time.perf_counter()
        try:
            if split:
                cuts = sorted(self.rng.sample(range(1, len(frame)), 2))
                for piece in (frame[: cuts[0]], frame[cuts[0] : cuts[1]], frame[cuts[1] :] + b"\r"):
                    self.writer.write(piece)
                    await self.writer.drain()
                    await asyncio.sleep(0.001)
            else:
                self.writer.write(frame + b"\r")
                await self.writer.drain()
            answer = await asyncio.wait_for(self.reader.readuntil(b"\r"), timeout)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, TimeoutError) as error:
            raise Dropped(repr(error)) from error
        if measure:
            self.tally.latencies_ms.append((time.perf_counter() - started) * 1000)
            self.tally.messages += 1
        return answer

    async def maybe_malformed(self, good: str) -> None:
        """Before a real message, send a broken frame now and then; it must get the protocol's answer."""
        if self.rng.random() >= self.args.malformed_share:
            return
        kind = self.rng.choice(("checksum", "short", "bytes", "unknown", "barcode"))
        expect: tuple[bytes, ...] = (b"96",)
        if kind == "checksum":
            frame = self.frame(good)
            frame = frame[:-4] + (b"0000" if not frame.endswith(b"0000") else b"0001")
        elif kind == "short":
            frame = self.frame(good[:9])
            expect = (b"96", {"63": b"64", "11": b"12", "09": b"10"}[good[:2]] + (b"" if good[:2] == "63" else b"0"))
        elif kind == "bytes":
            frame = b"\xff\xfe\x00garbage\x07"
        elif kind == "unknown":
            frame = self.frame("42" + good[2:])
        else:
            frame = self.frame(f"11NN{self.stamp()}{' ' * 18}AO{INSTITUTION}|AA{self.card}|AB9\x07\x1b|AD{PIN}|")
            expect = (b"120",)
        self.tally.malformed += 1
        answer = await self.call(frame, measure=False)
        if not answer.startswith(expect):
            self.tally.malformed_wrong_answers += 1
            self.tally.errors.append(f"{kind}: {answer[:60]!r}")

    async def send(self, body: str) -> bytes:
        await self.maybe_malformed(body)
        split = self.rng.random() < self.args.malformed_share
        self.tally.split += split
        return await self.call(self.frame(body), split=split)

    async def cycle(self) -> None:
        await self.send(f"63019{self.stamp()}          AO{INSTITUTION}|AA{self.card}|AD{PIN}|")
        barcode = self.rng.choice(self.items)
        body = f"11YN{self.stamp()}{' ' * 18}AO{INSTITUTION}|AA{self.card}|AB{barcode}|AD{PIN}|"
        await self.maybe_malformed(body)
        frame = self.frame(body)
        answer = await self.call(frame)
        if self.rng.random() < self.args.retry_share:
            # The kiosk timed out waiting: it reconnects and sends the same check-out again.
            await self.close()
            await self.connect()
            self.tally.retries += 1
            again = await self.call(frame)
            # A lent copy must be answered the same (same loan, no second one); a refusal is not kept with the
            # key, so the retry is decided afresh, and the kiosk, which never saw the first answer, acts on it.
            if answer.startswith(b"121") and again[:6] != answer[:6]:
                self.tally.retry_mismatches += 1
                self.tally.errors.append(f"retry {answer[:30]!r} then {again[:30]!r}")
            answer = again
        if answer.startswith(b"121"):
            self.tally.lent += 1
            back = await self.send(f"09N{self.stamp()}{self.stamp()}APBENCH-KIOSKS|AO{INSTITUTION}|AB{barcode}|")
            if back.startswith(b"101"):
                self.tally.returned += 1
            else:
                self.tally.return_failures += 1
                self.tally.errors.append(f"checkin {back[:60]!r}")
        else:
            self.tally.refused += 1

    async def run(self, start: asyncio.Event, deadline: list[float]) -> None:
        await self.connect()
        self.ready = True
        await start.wait()
        self.next_send = time.monotonic() + self.rng.random() / self.args.rate
        while time.monotonic() < deadline[0]:
            try:
                await self.cycle()
            except Dropped as error:
                self.tally.dropped += 1
                self.tally.errors.append(f"kiosk {self.n} dropped: {error}")
                await self.close()
                await self.connect()
        await self.close()


async def run_kiosks(port: int, world: dict, args: argparse.Namespace) -> tuple[Tally, float]:
    tally = Tally()
    start, deadline = asyncio.Event(), [0.0]
    kiosks = [Kiosk(n, port, world, args, tally) for n in range(args.kiosks)]
    tasks = [asyncio.create_task(kiosk.run(start, deadline)) for kiosk in kiosks]
    # Every kiosk logs in first (each login checks a password hash); the clock starts when all are in.
    while not all(kiosk.ready for kiosk in kiosks):
        await asyncio.sleep(0.05)
        if any(task.done() for task in tasks):
            await asyncio.gather(*tasks)
    tally.server_cpu_at_start = cpu_seconds(args.server_pid)
    began = time.monotonic()
    deadline[0] = began + args.seconds
    start.set()
    await asyncio.gather(*tasks)
    return tally, time.monotonic() - began


# ---------------------------------------------------------------------------------------------- main


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far: the server and its worker processes."""
    import psutil

    parent = psutil.Process(pid)
    total = 0.0
    for process in [parent, *parent.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def processes(args: argparse.Namespace, database: str) -> int:
    """Server processes: as asked, else one on SQLite (one writer; processes only queue on its lock) and two
    on PostgreSQL (one per core: the handlers are CPU-bound)."""
    return args.processes or (1 if database == "sqlite" else 2)


def start_server(
    env: dict[str, str], workdir: Path, args: argparse.Namespace, database: str
) -> tuple[subprocess.Popen, int]:
    command = [
        *shelfmark_command(), "sip2-server", "--port", "0", "--processes", str(processes(args, database)),
        *(["--workers", str(args.workers)] if args.workers else []),
        "--log-dir", str(workdir / "sip2-logs"), "--max-connections", str(args.kiosks * 4 + 50),
    ]  # fmt: skip
    with (workdir / "server.log").open("wb") as errors:
        server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=errors)
    assert server.stdout is not None
    line = server.stdout.readline().decode()
    if "listening on" not in line:
        server.kill()
        raise SystemExit(f"sip2-server did not start: {line!r}; see {workdir / 'server.log'}")
    return server, int(line.rsplit(":", 1)[1])


def bench_database(database: str, args: argparse.Namespace) -> tuple[str, str, bool]:
    with tempfile.TemporaryDirectory(prefix=f"shelfmark-bench-sip2-{database}-") as tmp:
        workdir = Path(tmp)
        try:
            env = fresh_database(database, workdir, PG_DATABASE)
            if database == "sqlite":
                # The embedded default (DATA_DIR/shelfmark.sqlite3 with WAL, synchronous=NORMAL, immediate
                # transactions and a busy timeout), as a SQLite installation runs; a bare sqlite:// URL has none.
                env.pop("DATABASE_URL")
            env["SHELFMARK_LOG_LEVEL"] = "ERROR"
            log(f"{database}: migrating a fresh database")
            run_child([*shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
            log(f"{database}: seeding {args.kiosks} terminals, readers and {args.kiosks * 4} copies")
            world_path = workdir / "world.json"
            run_child(
                [sys.executable, __file__, "--seed-child", str(world_path), "--kiosks", str(args.kiosks)],
                env,
                workdir / "seed.log",
            )
            settle(database, env)
            world = json.loads(world_path.read_text())
            server, port = start_server(env, workdir, args, database)
            args.server_pid = server.pid
            try:
                log(f"{database}: {args.kiosks} kiosks for {args.seconds} s at {args.rate} messages/s each")
                tally, elapsed = asyncio.run(run_kiosks(port, world, args))
                server_cpu = cpu_seconds(server.pid) - tally.server_cpu_at_start
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=60)
            state_path = workdir / "state.json"
            run_child([sys.executable, __file__, "--verify-child", str(state_path)], env, workdir / "verify.log")
            state = json.loads(state_path.read_text())
            server_log = (workdir / "server.log").read_text(errors="replace")
            errors = server_log.count("Traceback")
            if errors:
                kept = Path(tempfile.gettempdir()) / f"sip2-bench-server-{database}-{int(time.time())}.log"
                kept.write_text(server_log)
                log(f"{database}: {errors} server tracebacks, kept in {kept}")
        finally:
            drop_database(database, PG_DATABASE)
    double = max(0, state["loans"] - tally.lent) + state["items_with_two_active_loans"]
    rate = tally.messages / elapsed
    p50, p95, p99 = (percentile(tally.latencies_ms or [float("nan")], q) for q in (0.5, 0.95, 0.99))
    line = (
        f"BENCH sip2 db={database} kiosks={args.kiosks} msgs_per_s={rate:.0f} p95_ms={p95:.1f} "
        f"double_loans={double} dropped={tally.dropped}"
    )
    correct = (
        double == 0
        and state["loans"] == tally.lent
        and state["active_loans"] == 0
        and state["items_off_shelf"] == 0
        and tally.retry_mismatches == 0
        and tally.malformed_wrong_answers == 0
        and tally.return_failures == 0
        and tally.dropped == 0
    )
    detail = (
        f"  detail: {args.seconds} s, offered {args.kiosks * args.rate} msgs/s, {tally.messages} messages, "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, server CPU {server_cpu * 1000 / max(tally.messages, 1):.1f} ms a "
        f"message ({server_cpu / elapsed:.2f} cores); {tally.lent} lent / {tally.refused} refused / {tally.returned} "
        f"returned; {tally.retries} retried check-outs ({tally.retry_mismatches} answered differently); "
        f"malformed share {args.malformed_share}: {tally.malformed} broken frames ({tally.malformed_wrong_answers} "
        f"wrong answers), {tally.split} split frames; final state: {state['loans']} loans, {state['active_loans']} "
        f"active, {state['items_off_shelf']} copies off the shelf, {errors} server tracebacks; "
        f"{'CORRECT' if correct else 'NOT CORRECT'}"
    )
    for error in tally.errors[:10]:
        log(f"{database}: {error}")
    return line, detail, correct


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=12, help="messages per second each kiosk sends at most")
    parser.add_argument("--malformed-share", type=float, default=0.0)
    parser.add_argument("--retry-share", type=float, default=0.02)
    parser.add_argument("--workers", type=int, help="database worker threads per server process (server default)")
    parser.add_argument("--processes", type=int, help="server processes sharing the port (SQLite 1, PostgreSQL 2)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-results", action="store_true", help="do not append to bench/RESULTS.md")
    parser.add_argument("--seed-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--verify-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed_child:
        seed_child(args.seed_child, args.kiosks)
        return
    if args.verify_child:
        verify_child(args.verify_child)
        return
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    source = (
        f"sip2: {args.kiosks} kiosks × {args.rate:g} msgs/s for {args.seconds:g} s, "
        f"malformed share {args.malformed_share:g}, retry share {args.retry_share:g}, "
        f"server processes {args.processes or 'SQLite 1 / PostgreSQL 2'} × {args.workers or 'default'} worker threads"
    )
    all_correct = True
    for number, database in enumerate(databases):
        line, detail, correct = bench_database(database, args)
        all_correct = all_correct and correct
        print(line, flush=True)
        print(detail, flush=True)
        if not args.no_results:
            append_results(line, source, first=number == 0)
            with (BENCH / "RESULTS.md").open("a", encoding="utf-8") as fh:
                fh.write(detail + "\n")
    if not all_correct:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
