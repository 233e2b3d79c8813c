"""Union catalogue benchmark: clustering precision and recall against planted duplicates, and the OAI-PMH harvest rate.

    python bench/union.py [--records N] [--duplicates F] [--database sqlite|postgresql|both] [--harvest-records H]

1. **Data.** The generated catalogue of N records (`bench/catalog.py` `generated_file`, `shelfmark.catalog.generate`;
   it already holds 1% copies of one book catalogued again) is member A's export. F·N planted duplicates are
   other catalogings of N·F randomly chosen records' books, each changed by some of: the other MARC format (CNMARC
   <-> MARC 21), traditional characters in the title (and publisher), full-width punctuation and U+3000 spaces
   in title and statement, the ISBN written as ISBN-10 or ISBN-13, with or without hyphens, or left out, the
   author's role worded otherwise (著 / 编著), the publisher's registered name (…有限公司), and a "first edition"
   statement; 90% go to member B's export, 10% into our own catalogue. N·F/10 distractors are
   other volumes or editions of chosen books (same title stem, people, publisher and year; another ISBN or none):
   they must stay apart. The truth (which records are one book) comes from replaying the generator's random
   stream beside it (checked against its bytes). Files and truth are cached under bench/data/.
2. **Load.** A fresh database (SQLite in a temporary folder, or PostgreSQL `shelfmark_bench_union`), migrated;
   `shelfmark harvest A --file`, `shelfmark harvest B --file` and `shelfmark import-marc` (ours), each a child.
3. **Cluster.** `shelfmark cluster` in a child process: `cluster_s` is its wall time (Django start-up included).
4. **Precision and recall of pairs**: a pair of records in one cluster is a true positive when the truth has them
   as one book; precision = TP / pairs clustered together, recall = TP / pairs that are one book.
5. **Harvest rate.** Another SQLite database with H generated records (default min(N, 20,000)) in its catalogue is served by gunicorn
   (2 workers); `shelfmark harvest` of an OAI-PMH source on it (marc21 and cnmarc, 100 records a page) runs in a
   child: `harvest_rps` = records / its wall time. Baseline, same run: `fetch_rps`, the same lists fetched with
   plain requests, tokens followed, nothing parsed or stored.
Ends with `BENCH union records=N precision=p recall=r cluster_s=s harvest_rps=h` (then the baseline and the
database) and appends it to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from array import array
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")

from bench.catalog import (  # noqa: E402
    DATA,
    SEED,
    append_results,
    database_env,
    drop_database,
    fresh_database,
    generated_file,
    log,
    run_child,
    settle,
    shelfmark_command,
)

PLANT_VERSION = 3
PG_NAME = "shelfmark_bench_union"
OURS_SHARE = 10  # every tenth planted duplicate goes into our own catalogue
DISTRACTOR_SHARE = 10  # one distractor per ten planted duplicates

_SETUP = """
from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.libraries import services as libraries
from shelfmark.union_catalog import services
root = libraries.create_library(code="LN", name="辽宁省图书馆", level="province")
actor = accounts.create_staff(username="bench", password="bench-123456", library=root, roles=[Role.ADMIN], is_superuser=True)
for code, name in (("LN-DL", "大连市图书馆"), ("LN-AS", "鞍山市图书馆")):
    library = libraries.create_library(code=code, name=name, level="city", parent=root)
    services.save_source(library=library, name=name, way="file", actor=actor)
library = libraries.create_library(code="LN-HV", name="本溪市图书馆", level="city", parent=root)
services.save_source(library=library, name="本溪市图书馆", way="oai_pmh", base_url={url!r},
                     metadata_prefixes="marc21,cnmarc", actor=actor)
"""


# ------------------------------------------------------------------------------------------- planting


def _isbn_forms(isbn: str, rng: random.Random) -> str:
    """Write the same ISBN another way: 10 <-> 13 digits, with or without hyphens."""
    from shelfmark.catalog import isbn as codes

    thirteen = codes.to_13(isbn)
    ten = codes.to_10(isbn)
    choice = rng.random()
    if ten and choice < 0.5:
        return ten if rng.random() < 0.5 else f"{ten[0]}-{ten[1:4]}-{ten[4:9]}-{ten[9]}"
    return (
        thirteen
        if rng.random() < 0.5
        else f"{thirteen[:3]}-{thirteen[3]}-{thirteen[4:7]}-{thirteen[7:12]}-{thirteen[12]}"
    )


def _full_width(text: str) -> str:
    return text.replace("(", "（").replace(")", "）").replace(" ; ", "；").replace(":", "：").replace(",", "，")


def _spaced(text: str, rng: random.Random) -> str:
    if len(text) < 2:
        return text
    cut = rng.randrange(1, len(text))
    return text[:cut] + "\u3000" + text[cut:]


def variant(book: object, rng: random.Random) -> object:
    """Another member's cataloguing of the same book: some of the variants the module's docstring lists."""
    from shelfmark.catalog.generating.books import traditional

    changes: dict[str, object] = {}
    title = book.title  # type: ignore[attr-defined]
    if rng.random() < 0.35:
        title = traditional(title)
        if rng.random() < 0.5:
            changes["publisher"] = traditional(book.publisher)  # type: ignore[attr-defined]
    if rng.random() < 0.25:
        title = _spaced(title, rng)
    if rng.random() < 0.25 and len(title) > 3:
        cut = rng.randrange(2, len(title) - 1)
        title = title[:cut] + rng.choice("：·，、") + title[cut:]
    changes["title"] = title
    people = list(book.people)  # type: ignore[attr-defined]
    if rng.random() < 0.3:
        people = [dataclasses.replace(p, name=_full_width(p.name), country=_full_width(p.country)) for p in people]
    if rng.random() < 0.1:  # the role worded otherwise: 著 / 编著 / 主编
        people[0] = dataclasses.replace(
            people[0], role={"著": "编著", "编著": "著", "主编": "编"}.get(people[0].role, "著")
        )
    changes["people"] = people
    if rng.random() < 0.1:  # the publisher's full registered name
        changes["publisher"] = f"{changes.get('publisher', book.publisher)}有限公司"  # type: ignore[attr-defined]
    if book.isbn:  # type: ignore[attr-defined]
        roll = rng.random()
        if roll < 0.15:
            changes["isbn"] = ""
            changes["unified_number"] = ""
        elif roll < 0.75:
            changes["isbn"] = _isbn_forms(book.isbn, rng)  # type: ignore[attr-defined]
    if not book.edition and rng.random() < 0.1:  # type: ignore[attr-defined]
        changes["edition"] = "第1版"
    return dataclasses.replace(book, **changes)  # type: ignore[type-var]


_VOLUME = re.compile("第[一二三四五六七八九十]+卷$")


def distractor(book: object, rng: random.Random, number: int) -> object:
    """Another volume or another edition of the book: alike in everything else, a different manifestation."""
    from shelfmark.catalog.generating.books import isbn13_check

    isbn = ""
    if rng.random() < 0.5:
        body = f"97879{number:07d}"  # publisher group 9: none of the generator's publishers
        isbn = body + isbn13_check(body)
    if rng.random() < 0.5:
        title = book.title  # type: ignore[attr-defined]
        stem = _VOLUME.sub("", title)
        volume = "第九卷" if title.endswith("第二卷") else "第二卷"
        return dataclasses.replace(book, title=stem + volume, isbn=isbn, unified_number="")  # type: ignore[type-var]
    edition = "3版" if book.edition == "2版" else "2版"  # type: ignore[attr-defined]
    return dataclasses.replace(book, edition=edition, isbn=isbn, unified_number="")  # type: ignore[type-var]


def _mirror(records: int, seed: int) -> Iterator[tuple[object, object, str, str]]:
    """Replay `generate.iter_records`' random stream: (book, layout, control number, month_day) per record, with
    each new book numbered in its `bench_id` (a copy the generator catalogues again keeps its number)."""
    from shelfmark.catalog.generate import _RECENT_BOOKS, DUPLICATE_SHARE, control_prefix
    from shelfmark.catalog.generating.books import BookMaker
    from shelfmark.catalog.generating.layouts import cnmarc, marc21

    rng = random.Random(seed)
    maker = BookMaker(rng)
    recent: deque[object] = deque(maxlen=_RECENT_BOOKS)
    prefix = control_prefix(seed)
    made = 0
    for index in range(records):
        if recent and rng.random() < DUPLICATE_SHARE:
            book = recent[rng.randrange(len(recent))]
        else:
            book = maker.make()
            book.bench_id = made  # type: ignore[attr-defined]
            made += 1
            recent.append(book)
        month_day = f"{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        layout = cnmarc if rng.random() < 0.5 else marc21
        yield book, layout, f"{prefix}{index + 1:09d}", month_day


def plant(records: int, share: float, seed: int) -> tuple[Path, Path, Path, Path]:
    """Write (cached) member B's planted file, our catalogue's file, the truth of the base file and of the rest."""
    from shelfmark.catalog.generate import VERSION, iter_records
    from shelfmark.catalog.generating.layouts import cnmarc, marc21

    stem = f"union-{records}-{share:g}-seed{seed}-g{VERSION}-p{PLANT_VERSION}"
    member_b, ours = DATA / f"{stem}-member.mrc", DATA / f"{stem}-ours.mrc"
    base_truth, other_truth = DATA / f"{stem}-base.truth", DATA / f"{stem}-other.tsv"
    if all(path.exists() for path in (member_b, ours, base_truth, other_truth)):
        return member_b, ours, base_truth, other_truth
    started = time.perf_counter()
    # The replay must give the generator's own records, byte for byte: checked on the first thousand.
    for (book, layout, number, month_day), expected in zip(
        _mirror(1000, seed), iter_records(1000, seed=seed), strict=True
    ):
        if layout(book, control_number=number, month_day=month_day) != expected:  # type: ignore[operator]
            raise SystemExit("bench/union.py's replay of the generator no longer matches generate.iter_records")
    rng = random.Random(seed * 7919 + 17)
    planted = round(records * share)
    chosen = set(rng.sample(range(records), planted))
    distract = set(rng.sample(sorted(chosen), planted // DISTRACTOR_SHARE))
    truth = array("q")
    books_made = 0
    lines: list[str] = []
    count = 0
    with member_b.open("wb") as out_b, ours.open("wb") as out_ours:
        for index, (book, _layout, _number, month_day) in enumerate(_mirror(records, seed)):
            book_id = book.bench_id  # type: ignore[attr-defined]
            truth.append(book_id)
            books_made = max(books_made, book_id + 1)
            if index not in chosen:
                continue
            copy = variant(book, rng)
            other_layout = cnmarc if rng.random() < 0.5 else marc21
            number = f"UNP{count:09d}"
            data = other_layout(copy, control_number=number, month_day=month_day)  # type: ignore[arg-type]
            (out_ours if count % OURS_SHARE == 0 else out_b).write(data)
            lines.append(f"{number}\t{book_id}")
            if index in distract:
                alike = distractor(book, rng, count)
                number = f"UND{count:09d}"
                out_b.write(other_layout(alike, control_number=number, month_day=month_day))  # type: ignore[arg-type]
                lines.append(f"{number}\t-{count + 1}")  # a book of its own
            count += 1
    with base_truth.open("wb") as fh:
        truth.tofile(fh)
    other_truth.write_text("\n".join(lines) + "\n")
    log(f"planted {count} duplicates and {len(distract)} distractors in {time.perf_counter() - started:.1f} s")
    return member_b, ours, base_truth, other_truth


def read_truth(base_truth: Path, other_truth: Path, records: int, seed: int) -> dict[str, int]:
    """Control number -> book number, for every record of the run."""
    from shelfmark.catalog.generate import control_prefix

    ids = array("q")
    with base_truth.open("rb") as fh:
        ids.fromfile(fh, records)
    prefix = control_prefix(seed)
    truth = {f"{prefix}{index + 1:09d}": book for index, book in enumerate(ids)}
    for line in other_truth.read_text().splitlines():
        number, book = line.split("\t")
        truth[number] = int(book)
    return truth


# ------------------------------------------------------------------------------------------- measuring


def pairs(counts: Counter[object]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def precision_recall(assigned: list[tuple[str, int]], truth: dict[str, int]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of the clusters against the truth; also (true pairs, clustered pairs)."""
    by_cluster: Counter[object] = Counter()
    by_book: Counter[object] = Counter()
    both: Counter[object] = Counter()
    for number, cluster in assigned:
        book = truth[number]
        by_cluster[cluster] += 1
        by_book[book] += 1
        both[(cluster, book)] += 1
    together, same_book, right = pairs(by_cluster), pairs(by_book), pairs(both)
    return (right / together if together else 1.0), (right / same_book if same_book else 1.0), same_book, together


_ASSIGNED = (
    "SELECT COALESCE(s.identifier, r.control_number), m.cluster_id FROM union_catalog_clustermember m"
    " LEFT JOIN union_catalog_sourcerecord s ON s.id = m.source_record_id"
    " LEFT JOIN catalog_record r ON r.id = m.record_id WHERE m.active"
)


def assigned(database: str, env: dict[str, str]) -> list[tuple[str, int]]:
    url = env["DATABASE_URL"]
    if database == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            return [(row[0], row[1]) for row in conn.execute(_ASSIGNED)]
    import psycopg

    with psycopg.connect(url) as conn:
        return [(row[0], row[1]) for row in conn.execute(_ASSIGNED)]


def fetch_rate(url: str, prefixes: list[str]) -> tuple[int, float]:
    """The baseline: every page of the lists fetched with plain requests, tokens followed, nothing parsed."""
    import requests

    token = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
    records = 0
    started = time.perf_counter()
    with requests.Session() as session:
        for prefix in prefixes:
            params = {"verb": "ListRecords", "metadataPrefix": prefix}
            while True:
                body = session.get(url, params=params, timeout=120).content
                records += body.count(b"<header")
                found = token.search(body)
                if not found:
                    break
                params = {"verb": "ListRecords", "resumptionToken": found.group(1).decode()}
    return records, records / (time.perf_counter() - started)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def provider(records: int, workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A provider installation: a SQLite database with `records` generated records, served by gunicorn."""
    import requests

    root = workdir / "provider"
    root.mkdir()
    env = database_env("sqlite", root, "provider")
    env["SHELFMARK_OAI_REPOSITORY_ID"] = "provider.example.org"
    run_child([*shelfmark_command(), "migrate", "--no-input"], env, root / "migrate.log")
    path = generated_file(records)
    run_child([*shelfmark_command(), "import-marc", str(path), "--match", "none", "--no-progress",
               "--rejects-dir", str(root)], env, root / "import.log")  # fmt: skip
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "shelfmark.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=REPO,
        stdout=(root / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/oai"
    for _ in range(300):
        try:
            if requests.get(url, params={"verb": "Identify"}, timeout=10).status_code == 200:
                return server, url
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the provider did not start")


def bench_database(database: str, args: argparse.Namespace, files: tuple[Path, Path, Path, Path]) -> str:
    member_b, ours, base_truth, other_truth = files
    base = generated_file(args.records)
    with tempfile.TemporaryDirectory(prefix=f"shelfmark-bench-union-{database}-") as tmp:
        workdir = Path(tmp)
        server, url = provider(args.harvest_records, workdir)
        try:
            env = fresh_database(database, workdir, PG_NAME)
            started = time.perf_counter()
            run_child([*shelfmark_command(), "migrate", "--no-input"], env, workdir / "migrate.log")
            run_child([*shelfmark_command(), "shell", "-c", _SETUP.format(url=url)], env, workdir / "setup.log")
            timings: dict[str, float] = {}
            for name, command in (
                ("load_a", ["harvest", "LN-DL", "--file", str(base), "--no-progress"]),
                ("load_b", ["harvest", "LN-AS", "--file", str(member_b), "--no-progress"]),
                ("ours", ["import-marc", str(ours), "--match", "none", "--no-progress", "--rejects-dir", str(workdir)]),
            ):
                timings[name], _ = run_child([*shelfmark_command(), *command], env, workdir / f"{name}.log")
                tail = (workdir / f"{name}.log").read_text(errors="replace").strip().splitlines()[:1]
                log(f"{database}: {name} took {timings[name]:.1f} s: {' '.join(tail)}")
            settle(database, env)
            cluster_s, peak_mb = run_child([*shelfmark_command(), "cluster", "--quiet"], env, workdir / "cluster.log")
            log(f"{database}: cluster took {cluster_s:.1f} s, peak RSS {peak_mb:.0f} MB: "
                f"{(workdir / 'cluster.log').read_text().strip()}")  # fmt: skip
            truth = read_truth(base_truth, other_truth, args.records, SEED)
            precision, recall, same_book, together = precision_recall(assigned(database, env), truth)
            whole = time.perf_counter() - started
            log(f"{database}: pairs of one book {same_book}, clustered together {together}; "
                f"precision {precision:.4f}, recall {recall:.4f}; load and cluster {whole:.0f} s")  # fmt: skip
            fetched, fetch_rps = fetch_rate(url, ["marc21", "cnmarc"])
            seconds, _ = run_child(
                [*shelfmark_command(), "harvest", "LN-HV", "--no-progress"], env, workdir / "harvest.log"
            )
            harvest_log = (workdir / "harvest.log").read_text().strip()
            harvested = int(re.search(r"read=(\d+)", harvest_log).group(1))  # type: ignore[union-attr]
            harvest_rps = harvested / seconds
            log(f"{database}: harvested {harvested} records in {seconds:.1f} s ({harvest_log}); "
                f"plain fetch of {fetched} records at {fetch_rps:,.0f} records/s")  # fmt: skip
        finally:
            server.terminate()
            server.wait()
            drop_database(database, PG_NAME)
    return (
        f"BENCH union records={args.records} precision={precision:.4f} recall={recall:.4f} cluster_s={cluster_s:.1f}"
        f" harvest_rps={harvest_rps:.0f} fetch_rps={fetch_rps:.0f} db={database} duplicates={args.duplicates:g}"
        f" load_s={sum(timings.values()):.0f} whole_s={whole:.0f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000, help="records of the generated catalogue (N)")
    parser.add_argument("--duplicates", type=float, default=0.2, help="planted duplicates, a share of N (F)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument(
        "--harvest-records",
        type=int,
        default=0,
        help="records the harvested provider serves (default: N, at most 20,000)",
    )
    parser.add_argument("--no-record", action="store_true", help="print the BENCH lines without appending them")
    args = parser.parse_args(argv)
    args.harvest_records = args.harvest_records or min(args.records, 20_000)
    started = time.perf_counter()
    generated_file(args.records)
    files = plant(args.records, args.duplicates, SEED)
    log(f"data ready in {time.perf_counter() - started:.1f} s")
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for number, database in enumerate(databases):
        line = bench_database(database, args, files)
        print(line, flush=True)
        if not args.no_record:
            append_results(line, f"generated file of {args.records} records + planted duplicates", first=number == 0)


if __name__ == "__main__":
    main()
