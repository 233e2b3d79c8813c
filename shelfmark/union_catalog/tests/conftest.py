"""Union catalogue fixtures: the network, a second local installation to harvest, and an XSD-checking hook."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from shelfmark.catalog.generate import write_catalog
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import Level, Library
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.union_catalog import harvesting
from shelfmark.union_catalog.models import Source
from shelfmark.union_catalog.tests.installation import REPO, Installation

XSD_DIR = REPO / ".." / "shared" / "data" / "xsd"
MARC_DIR = REPO / ".." / "shared" / "data" / "marc"


@cache
def oai_schema() -> etree.XMLSchema:
    """The official OAI-PMH schema with oai_dc and MARCXML (../shared/data/xsd/oai-pmh-all.xsd)."""
    return etree.XMLSchema(file=str(XSD_DIR / "oai-pmh-all.xsd"))


class Validated:
    """A requests response hook: every OAI-PMH response the harvester receives must validate; keeps the requests."""

    def __init__(self) -> None:
        self.requests: list[Any] = []

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> None:
        self.requests.append(response.request)
        if response.status_code == 200:
            oai_schema().assertValid(etree.fromstring(response.content))

    def list_requests(self) -> list[str]:
        """The ListRecords requests sent, as their query strings (or bodies)."""
        found = []
        for request in self.requests:
            text = request.url if request.method == "GET" else f"{request.url}?{request.body}"
            if "ListRecords" in text:
                found.append(text.split("?", 1)[1])
        return found


@pytest.fixture(scope="session")
def seeded_member(tmp_path_factory: pytest.TempPathFactory) -> Installation:
    """A second installation, migrated and seeded once per test session (tests work on copies)."""
    root = tmp_path_factory.mktemp("member-template")
    generated = root / "generated.mrc"
    write_catalog(generated, records=30, seed=7)
    installation = Installation(root)
    installation.seed(generated)
    return installation


@pytest.fixture
def member(seeded_member: Installation, tmp_path: Path) -> Iterator[Installation]:
    """A copy of the second installation, served on a free port for this test."""
    installation = seeded_member.copy_to(tmp_path / "member")
    installation.start()
    try:
        yield installation
    finally:
        installation.stop()


@pytest.fixture
def net(db: Any) -> Network:
    return make_network()


def member_library(net: Network, code: str = "LN-DL", name: str = "大连市图书馆") -> Library:
    """A member library of our network on another system."""
    return libraries.create_library(code=code, name=name, level=Level.CITY, parent=net.province)


def oai_source(net: Network, url: str, *, prefixes: str = "marc21,cnmarc", code: str = "LN-DL") -> Source:
    return Source.objects.create(
        library=member_library(net, code), name="大连市图书馆（Interlib）", base_url=url, metadata_prefixes=prefixes
    )


def file_source(net: Network, code: str = "LN-AS", **options: Any) -> Source:
    library = member_library(net, code, "鞍山市图书馆")
    return Source.objects.create(library=library, name="鞍山市图书馆（汇文）", way=Source.Way.FILE, **options)


class Sleeps(list[float]):
    """Stands in for time.sleep in the harvester: remembers each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(source: Source, **options: Any) -> tuple[Any, Validated, Sleeps]:
    """The source's harvester, checking every response against the schema, with its waits recorded."""
    hook, sleeps = Validated(), Sleeps()
    options.setdefault("retries", 2)
    harvester = harvesting.make_harvester(source, sleep=sleeps, hooks={"response": [hook]}, **options)
    return harvester, hook, sleeps
