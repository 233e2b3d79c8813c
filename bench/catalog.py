"""Catalogue benchmark: MARC import rate and search latency, as ratios against the raw engines.

    python bench/catalog.py [--records N] [--database sqlite|postgresql|both] [--real] [--profile]

Generates (or reuses, cached under bench/data/) a Chinese MARC file of N records, measures pymarc's raw
parse rate on it, then for each database: a fresh database, migrations, `shelfmark import-marc` end to
end in a child process (its peak RSS read from wait4), and a fixed set of 200 mixed queries through
`selectors.search` against the same queries sent to FTS5 / tsquery directly. Prints one BENCH line per
database and appends it, with the machine and the commit, to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "RESULTS.md"
sys.path.insert(0, str(REPO))

from bench import loc  # noqa: E402

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "shelfmark_bench"
SEED = 1


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------- data


def generated_file(records: int) -> Path:
    """The generated catalogue of `records` records, written once and cached."""
    from shelfmark.catalog.generate import VERSION, write_catalog

    path = DATA / f"generated-{records}-seed{SEED}-v{VERSION}.mrc"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        part = path.with_suffix(".part")
        write_catalog(part, records=records, seed=SEED)
        part.rename(path)
        elapsed = time.perf_counter() - started
        log(f"generated {records} records in {elapsed:.1f} s ({records / elapsed:,.0f} records/s)")
    return path


def real_file(records: int) -> Path:
    """The first `records` LoC records, topped up with generated records past 250,000."""
    from shelfmark.catalog.generate import VERSION, iter_records

    path = DATA / f"real-{records}-seed{SEED}-v{VERSION}.mrc"
    if path.exists():
        return path
    corpus = loc.loc_file(DATA)
    taken = 0
    with corpus.open("rb") as source, path.with_suffix(".part").open("wb") as out:
        for raw in loc.raw_records(source):
            if taken >= records:
                break
            out.write(raw)
            taken += 1
        for record in iter_records(records - taken, seed=SEED):
            out.write(record)
    path.with_suffix(".part").rename(path)
    log(f"real corpus file: {taken} LoC records + {records - taken} generated")
    return path


def parse_rate(path: Path) -> tuple[int, float]:
    """pymarc's raw parse rate over the file (to_unicode, permissive): records and records per second."""
    import pymarc

    started = time.perf_counter()
    count = 0
    with path.open("rb") as fh:
        for _record in pymarc.MARCReader(fh, to_unicode=True, permissive=True):
            count += 1
    return count, count / (time.perf_counter() - started)


# ------------------------------------------------------------------------------------------ databases


def kept_dir(database: str, records: int) -> Path:
    """Where a kept database lives (SQLite file) or is marked as fully imported (both)."""
    return DATA / f"kept-{database}-{records}"


def database_env(database: str, workdir: Path, name: str) -> dict[str, str]:
    """The environment that points shelfmark at the bench database `name` (SQLite: a file in workdir)."""
    # Production settings: with DEBUG on, Django keeps the last 9,000 SQL statements (bulk inserts included).
    env = {**os.environ, "SHELFMARK_DATA_DIR": str(workdir), "SHELFMARK_DEBUG": "0", "PYTHONUNBUFFERED": "1"}
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    else:
        env["DATABASE_URL"] = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    return env


def fresh_database(database: str, workdir: Path, name: str = PG_DATABASE) -> dict[str, str]:
    """Create an empty database and return the environment that points shelfmark at it."""
    if database == "sqlite":
        (workdir / "bench.sqlite3").unlink(missing_ok=True)
        return database_env(database, workdir, name)
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(
            f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    return database_env(database, workdir, name)


def drop_database(database: str, name: str = PG_DATABASE) -> None:
    if database != "postgresql":
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def settle(database: str, env: dict[str, str]) -> None:
    """Bring a freshly loaded PostgreSQL database to the state autovacuum keeps it in: statistics for the
    planner and a visibility map. PostgreSQL's docs ask for ANALYZE after a bulk load, and the bench server
    runs with autovacuum off, so without this every search would be planned on default guesses."""
    if database != "postgresql":
        return
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    log(f"{database}: VACUUM ANALYZE took {time.perf_counter() - started:.1f} s (not part of import_rps)")


def shelfmark_command() -> list[str]:
    script = Path(sys.executable).parent / "shelfmark"
    return [str(script)] if script.exists() else [sys.executable, "-m", "shelfmark.cli"]


def run_child(args: list[str], env: dict[str, str], log_path: Path) -> tuple[float, float]:
    """Run a child to its end; return (seconds, peak RSS in MB) of that process alone (wait4's rusage)."""
    started = time.perf_counter()
    with log_path.open("wb") as out:
        child = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
        raise SystemExit(f"{' '.join(args[:3])} failed with exit code {child.returncode}")
    return elapsed, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


# -------------------------------------------------------------------------------------------- queries


def build_queries(path: Path, count: int = 200) -> list[str]:
    """A fixed mix of 200 queries: words, phrases, pinyin, initials, traditional, fields, ISBNs, years, classes."""
    import pymarc
    from pypinyin import Style, lazy_pinyin

    from shelfmark.catalog.generating import words
    from shelfmark.catalog.generating.books import traditional

    topics = [topic for _, (_, entries) in sorted(words.CLC.items()) for _, _, ts in entries for topic in ts]
    subjects = sorted({subject for _, (_, entries) in words.CLC.items() for _, subject, _ in entries})
    classes = [number for _, (_, entries) in sorted(words.CLC.items()) for number, _, _ in entries]
    chinese_topics = [t for t in topics if all("\u4e00" <= ch <= "\u9fff" for ch in t)]
    isbns: list[str] = []
    with path.open("rb") as fh:
        for number, record in enumerate(pymarc.MARCReader(fh, to_unicode=True, permissive=True)):
            if number >= 20_000 or len(isbns) >= 30:
                break
            field = record and (record.get("010") or record.get("020"))
            if field and field.get("a") and number % 97 == 0:
                isbns.append(field["a"].split()[0])
    pick = chinese_topics[::3]
    queries: list[str] = []
    queries += pick[:40]  # single words
    queries += [f'"{topic}研究"' for topic in pick[40:50]] + ['"中国近代史"', '"数字图书馆"', '"辽宁地方志"']
    heading = {t: subject for _, (_, entries) in words.CLC.items() for _, subject, ts in entries for t in ts}
    queries += [f"{t} {heading[t]}" for t in pick[1:15] if heading[t] not in t]  # two words, ANDed
    queries += ["".join(lazy_pinyin(t)) for t in pick[:20]] + ["liaoning", "shenyang", "dalian"]  # pinyin
    queries += ["".join(lazy_pinyin(t, style=Style.FIRST_LETTER)) for t in pick[5:20]] + ["lndfz", "tsg"]  # initials
    queries += [traditional(t) for t in chinese_topics[1::4][:18]] + ["圖書館", "遼寧"]  # traditional
    queries += [f"title:{t}" for t in pick[20:30]]
    queries += [f"author:{s}" for s in words.SURNAMES[:10]]
    queries += [f"subject:{s}" for s in subjects[:10]]
    queries += [f"publisher:{p}" for p, _, _ in words.PUBLISHERS[:6]]
    queries += [f"class:{c}" for c in classes[::8]]
    queries += ["year:2019-2021", "year:1990-1999", f"{pick[3]} year:2010-2020", "小说 year:2000-2010"]
    queries += [isbn.replace("-", "") if n % 2 else isbn for n, isbn in enumerate(isbns)]
    queries += ["history", "china", "poetry", "economic policy", "library"]  # LoC records in --real runs
    fillers = [t for t in chinese_topics if t not in queries]
    queries += fillers[: max(0, count - len(queries))]
    return queries[:count]


def search_child(queries_path: Path, out_path: Path) -> None:
    """In a child process pointed at the bench database: time each query through the selector and raw."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    django.setup()
    from bench import catalog_search

    queries = json.loads(queries_path.read_text())
    out_path.write_text(json.dumps(catalog_search.measure(queries)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# ---------------------------------------------------------------------------------------------- main


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} CPUs, {ram:.0f} GiB RAM, {cpu}, Python {platform.python_version()}"


def commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    )
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=False)
    return (result.stdout.strip() or "unknown") + ("+dirty" if dirty.stdout.strip() else "")


def bench_database(
    database: str,
    path: Path,
    records: int,
    parse_rps: float,
    queries: list[str],
    profile: bool,
    keep: str = "",
) -> str:
    """Import into a fresh database and time the queries; `keep` ("keep" or "reuse") keeps the database
    (bench/data/kept-<db>-<N>/, PostgreSQL database shelfmark_bench_<N>) and "reuse" skips the import
    when a kept one was fully imported."""
    kept = kept_dir(database, records)
    name = f"{PG_DATABASE}_{records}" if keep else PG_DATABASE
    reused = keep == "reuse" and (kept / "imported").exists()
    with tempfile.TemporaryDirectory(prefix=f"shelfmark-bench-{database}-") as tmp:
        workdir = Path(tmp)
        if keep:
            kept.mkdir(parents=True, exist_ok=True)
        dbdir = kept if keep else workdir
        try:
            seconds, peak_mb = 0.0, 0.0
            if reused:
                env = database_env(database, dbdir, name)
                log(f"{database}: reusing the kept database, migrating it")
                run_child([*shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
            else:
                (kept / "imported").unlink(missing_ok=True)
                env = fresh_database(database, dbdir, name)
                log(f"{database}: migrating a fresh database")
                run_child([*shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
                log(f"{database}: importing {records} records")
                command = [
                    *shelfmark_command(), "import-marc", str(path), "--match", "isbn", "--rejects-dir", str(workdir)
                ]  # fmt: skip
                if profile:
                    prof = BENCH / "data" / f"import-{database}-{records}.prof"
                    command = [sys.executable, "-m", "cProfile", "-o", str(prof), *command]
                seconds, peak_mb = run_child(command, env, workdir / "import.log")
                tail = (workdir / "import.log").read_text(errors="replace").strip().splitlines()[-3:]
                log(f"{database}: import took {seconds:.1f} s, peak RSS {peak_mb:.0f} MB; {' | '.join(tail)}")
                if keep:
                    (kept / "imported").write_text(f"{records}\n")
            settle(database, env)
            queries_path, out_path = workdir / "queries.json", workdir / "search.json"
            queries_path.write_text(json.dumps(queries, ensure_ascii=False))
            log(f"{database}: {len(queries)} queries, selector and raw engine")
            run_child(
                [sys.executable, str(Path(__file__)), "--search-child", str(queries_path), str(out_path)],
                env,
                workdir / "search.log",
            )
            timings = json.loads(out_path.read_text())
        finally:
            if not keep:
                drop_database(database, name)
    search_p95 = percentile(timings["search_ms"], 0.95)
    raw_p95 = percentile(timings["raw_ms"], 0.95)
    log(f"{database}: {timings.get('note', '')} slowest: {timings.get('slowest', [])[:10]}")
    import_rps = "reused" if reused else f"{records / seconds:.0f}"
    peak = "reused" if reused else f"{peak_mb:.0f}"
    return (
        f"BENCH catalog db={database} records={records} import_rps={import_rps} parse_rps={parse_rps:.0f} "
        f"search_p95_ms={search_p95:.1f} raw_p95_ms={raw_p95:.1f} peak_rss_mb={peak}"
    )


def append_results(line: str, source: str, *, first: bool) -> None:
    """Append one BENCH line to RESULTS.md as soon as it is measured; the first of a run opens a section."""
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by the benchmarks in this folder; see README.md.\n")
    block = [line]
    if first:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        block = [f"\n## {stamp} · commit {commit()} · {source}", f"Machine: {machine()}", "", *block]
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(block) + "\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--real", action="store_true", help="start from the 250,000 LoC records, top up with generated")
    parser.add_argument("--profile", action="store_true", help="run the import under cProfile (slower; not for rates)")
    parser.add_argument("--no-record", action="store_true", help="print the BENCH lines without appending them")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (bench/data/kept-<db>-<N>, shelfmark_bench_<N>)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="search a kept, fully imported database without importing (not recorded)"
    )
    parser.add_argument("--search-child", nargs=2, metavar=("QUERIES", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.search_child:
        search_child(Path(args.search_child[0]), Path(args.search_child[1]))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    path = real_file(args.records) if args.real else generated_file(args.records)
    log(f"measuring pymarc's parse rate on {path.name}")
    parsed, parse_rps = parse_rate(path)
    log(f"pymarc parsed {parsed} records at {parse_rps:,.0f} records/s")
    queries = build_queries(path)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    source = f"{'LoC + generated' if args.real else 'generated'} file {path.name}"
    keep = "reuse" if args.reuse else ("keep" if args.keep else "")
    for number, database in enumerate(databases):
        line = bench_database(database, path, parsed, parse_rps, queries, args.profile, keep)
        print(line, flush=True)
        if not args.no_record and not args.profile and "reused" not in line:
            append_results(line, source, first=number == 0)


if __name__ == "__main__":
    main()
