"""A second local Shelfmark installation for harvesting tests: its own SQLite database and data dir, its own
catalogue imported from ../shared/data/marc and the catalogue generator, served by gunicorn on a free port.

Commands run in it as child processes (`shelfmark migrate`, `import-marc`, `shell -c`), never through this test
process's database connection: it is another library's system, reached only over OAI-PMH.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[3]
MARC_DIR = REPO / ".." / "shared" / "data" / "marc"
BIN = Path(sys.executable).parent
REPOSITORY_ID = "member.example.org"
SECRET = "second-installation-secret-key-for-tests-only-0123456789"
# Everything in the installation was last changed on this day: the union catalogue's harvests come later.
SEEDED_AT = "2025-01-10T08:00:00+00:00"

_SEED = """
import json
from datetime import datetime
from shelfmark.catalog import services as catalog
from shelfmark.catalog.models import DeletedRecord, Record
from shelfmark.holdings import services as holdings
from shelfmark.holdings.models import Item
from shelfmark.libraries import services as libraries

when = datetime.fromisoformat({seeded_at!r})
city = libraries.create_library(code="DL", name="大连市图书馆", level="city")
branch = libraries.create_library(code="DL-01", name="大连市图书馆甘井子分馆", level="township", parent=city)
records = list(Record.objects.order_by("id"))
for number, record in enumerate(records[:12]):
    library = city if number % 2 else branch
    holdings.create_item(record=record, home_library=library, actor=None, call_number=f"I247.5/{{number + 1}}")
catalog.delete_record(record=records[-1], actor=None, now=when)
Record.objects.update(updated_at=when)
Item.objects.update(created_at=when, status_changed_at=when, updated_at=when)
"""

_SNAPSHOT = """
import json
from shelfmark.catalog.models import DeletedRecord, Record
from shelfmark.holdings.models import Item
print(json.dumps({
    "live": {str(r.pk): r.marc_format for r in Record.objects.all()},
    "deleted": {str(d.record_id): d.marc_format for d in DeletedRecord.objects.all()},
    "copies": Item.objects.count(),
}))
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Installation:
    """Another library's Shelfmark: a folder with its database, and its web server when started."""

    root: Path
    page_size: int = 7
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.root / "server.log"

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("SHELFMARK_", "DATABASE_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "shelfmark.settings",
                "DATABASE_URL": f"sqlite:///{self.root / 'db.sqlite3'}",
                "SHELFMARK_DATA_DIR": str(self.root),
                "SHELFMARK_SECRET_KEY": SECRET,
                "SHELFMARK_DEBUG": "0",
                "SHELFMARK_JOBS_IMMEDIATE": "1",
                "SHELFMARK_OAI_REPOSITORY_ID": REPOSITORY_ID,
                "SHELFMARK_OAI_PAGE_SIZE": str(self.page_size),
                "SHELFMARK_BASE_URL": "http://member.example.org",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/oai"

    def oai_id(self, record_id: int | str) -> str:
        return f"oai:{REPOSITORY_ID}:{record_id}"

    def command(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "shelfmark"), *args], env=self.env, cwd=REPO, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(
                f"shelfmark {' '.join(args[:2])} failed in the second installation:\n{done.stderr[-3000:]}"
            )
        return done.stdout

    def python(self, code: str) -> str:
        """Run Python in the installation (`shelfmark shell -c`), through its own services."""
        return self.command("shell", "-c", code)

    def snapshot(self) -> dict[str, Any]:
        """Its records as its provider should serve them: live ids with formats, deleted ids, the copy count."""
        return dict(json.loads(self.python(_SNAPSHOT).strip().splitlines()[-1]))

    def seed(self, generated: Path) -> None:
        """Migrate, import the shared MARC samples and generated Chinese records, add copies, delete one record."""
        self.command("migrate", "-v0")
        files = [MARC_DIR / "test.dat", MARC_DIR / "testunimarc.dat", generated]
        self.command(
            "import-marc", *map(str, files), "--no-progress", "--match", "none", "--rejects-dir", str(self.root)
        )
        self.python(_SEED.format(seeded_at=SEEDED_AT))

    def copy_to(self, root: Path) -> Installation:
        """Another installation with the same database (each test that changes it works on its own copy)."""
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.root / "db.sqlite3", root / "db.sqlite3")
        return Installation(root, page_size=self.page_size)

    def start(self, port: int | None = None) -> None:
        """Serve the installation with gunicorn (one worker) and wait until /oai answers Identify."""
        self.port = port or self.port or free_port()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "shelfmark.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "1",
                    "--log-level",
                    "warning",
                    "--graceful-timeout",
                    "3",
                ],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the second installation's server stopped:\n{self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url, params={"verb": "Identify"}, timeout=10).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError("the second installation's server did not answer within 60 s")

    def stop(self) -> None:
        """Stop the server (the database stays)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
