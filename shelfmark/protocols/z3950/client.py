"""Search a remote Z39.50 server with YAZ's ZOOM shell (zoomsh, Debian package yaz), read the ISO 2709 records it sends
(MARC 21 or CNMARC, MARC-8, UTF-8 or GB 18030) with the catalogue's own reader, and catalogue the one a cataloguer
picks through the catalogue's services."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from shelfmark.catalog import services as catalog
from shelfmark.catalog.marc.extract import detect_format, extract, marc_dict
from shelfmark.catalog.marc.reading import MarcDecodeError, decode_iso2709
from shelfmark.catalog.models import Record
from shelfmark.core.errors import DomainError
from shelfmark.libraries.models import Library

# Bib-1 use attributes for what a cataloguer searches by.
USE_ATTRIBUTES = {"any": 1016, "title": 4, "author": 1003, "isbn": 7, "issn": 8, "subject": 21}
SYNTAXES = ("usmarc", "unimarc")
MAX_SHOWN = 50  # records a staff search lists at most
_ZURL = re.compile(r"(?P<host>[A-Za-z0-9.\-]+):(?P<port>\d{1,5})/(?P<database>[A-Za-z0-9_.\-]+)")
_HITS = re.compile(rb"^\S+: (\d+) hits$", re.MULTILINE)
_ERROR = re.compile(rb"^\S+ error: (.*)$", re.MULTILINE)
_RECORD = re.compile(rb"^(\d+) database=\S* syntax=\S* schema=\S*\n(.*?\x1d)\n", re.MULTILINE | re.DOTALL)


class RemoteSearchFailed(DomainError):
    code = "remote_search_failed"
    default_message: Any = _("检索远程 Z39.50 服务器失败：{reason}")
    status = 502


class BadTarget(DomainError):
    code = "bad_z3950_target"
    default_message: Any = _("Z39.50 服务器地址应写作 主机:端口/数据库，而不是“{value}”。")
    status = 422


@dataclass(frozen=True)
class Target:
    """A Z39.50 server: host, port, database, and the record syntax to ask for (usmarc for MARC 21, unimarc for
    CNMARC)."""

    host: str
    port: int
    database: str
    syntax: str = "usmarc"

    @classmethod
    def parse(cls, zurl: str, *, syntax: str = "usmarc") -> Target:
        match = _ZURL.fullmatch(zurl.strip())
        if match is None or syntax not in SYNTAXES:
            raise BadTarget(field="target", value=zurl if match is None else syntax)
        return cls(match["host"], int(match["port"]), match["database"], syntax)

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"


@dataclass(frozen=True)
class Found:
    """One record the server sent: its place in the result, the record as MARC-in-JSON, its format and title."""

    position: int
    marc: dict[str, Any]
    marc_format: str
    title: str
    isbn: str


@dataclass(frozen=True)
class Result:
    total: int
    records: list[Found]
    # Records the server sent that could not be read, with the reason: reported, never fatal.
    unreadable: list[tuple[int, str]]


def pqf(field: str, term: str) -> str:
    """Return the PQF (RPN) query for a term in one field, the term quoted so that spaces and @ stay literal."""
    if field not in USE_ATTRIBUTES:
        raise DomainError(f"unknown search field {field!r}; use one of {', '.join(USE_ATTRIBUTES)}", field="field")
    quoted = term.replace("\\", "\\\\").replace('"', '\\"')
    return f'@attr 1={USE_ATTRIBUTES[field]} "{quoted}"'


def search(target: Target, *, field: str, term: str, limit: int = 10, timeout: float = 30) -> Result:
    """Search `target` for `term` in `field` and return the hit count and the first `limit` records."""
    if not term.strip():
        raise DomainError("the search term is empty", field="term")
    zoomsh = shutil.which("zoomsh")
    if zoomsh is None:
        raise RemoteSearchFailed(reason="zoomsh (Debian package yaz) is not installed")
    commands = [
        f"set timeout {int(timeout)}",
        f"set preferredRecordSyntax {target.syntax}",
        f"connect {target}",
        f"search {pqf(field, term)}",
        f"show 0 {max(limit, 0)} raw",
        "quit",
    ]
    try:
        ran = subprocess.run([zoomsh, *commands], capture_output=True, timeout=timeout + 10, check=False)
    except subprocess.TimeoutExpired:
        raise RemoteSearchFailed(reason=f"{target} did not answer within {int(timeout)} s") from None
    output = ran.stdout + ran.stderr
    failed = _ERROR.search(output)
    hits = _HITS.search(output)
    if failed is not None or hits is None:
        reason = failed.group(1).decode("utf-8", "replace") if failed else f"no answer from {target}"
        raise RemoteSearchFailed(reason=reason)
    records: list[Found] = []
    unreadable: list[tuple[int, str]] = []
    for match in _RECORD.finditer(ran.stdout):
        position = int(match.group(1)) + 1
        try:
            records.append(_read(position, match.group(2)))
        except (MarcDecodeError, DomainError) as error:
            unreadable.append((position, str(error)))
    return Result(int(hits.group(1)), records, unreadable)


def _read(position: int, raw: bytes) -> Found:
    record, _encoding = decode_iso2709(raw)
    marc_format = detect_format(record)
    values = extract(record, marc_format=marc_format)
    return Found(position, marc_dict(record), marc_format, values.title, values.isbn)


def copy_record(found: Found, *, library: Library | None, actor: Any) -> Record:
    """Catalogue a record found on a remote server, through the catalogue's own service (index, audit)."""
    return catalog.create_record(marc=found.marc, marc_format=found.marc_format, library=library, actor=actor)
