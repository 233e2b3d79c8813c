"""Turn one harvested or uploaded MARC record into what lands: MARC-in-JSON, match keys and copies, or a reason.

No ORM here: the file loader runs this in worker processes. A record that cannot be read or has no title is
a `Rejected` naming what is wrong; the records around it land (house rule 10).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pymarc

from shelfmark.catalog.marc.extract import extract
from shelfmark.core.errors import DomainError
from shelfmark.union_catalog.holdings import HoldingData, holdings_of
from shelfmark.union_catalog.keys import MatchKeys, match_keys, tags_of


@dataclass(slots=True)
class Prepared:
    """A live record ready to land."""

    identifier: str
    datestamp: datetime | None
    marc_format: str
    marc_json: str
    digest: str
    keys: MatchKeys
    holdings: list[HoldingData] = field(default_factory=list)


@dataclass(slots=True)
class Deleted:
    """A deletion the provider announced (header status="deleted")."""

    identifier: str
    datestamp: datetime | None


@dataclass(slots=True)
class Rejected:
    """A record that cannot land, and why."""

    identifier: str
    reason: str


Incoming = Prepared | Deleted | Rejected


def digest(marc_json: str) -> str:
    """A short fingerprint of a record's MARC: an unchanged record is not written again."""
    return hashlib.blake2b(marc_json.encode(), digest_size=16).hexdigest()


def control_number(record: pymarc.Record) -> str:
    f001 = record.get("001")
    return (f001.data or "").strip()[:255] if f001 is not None and f001.control_field else ""


def datestamp_005(record: pymarc.Record) -> datetime | None:
    """Read the 005 date and time of latest transaction (yyyymmddhhmmss.f) as UTC, else None."""
    f005 = record.get("005")
    value = (f005.data or "").strip() if f005 is not None and f005.control_field else ""
    if len(value) < 14 or not value[:14].isdigit():
        return None
    try:
        return datetime(
            int(value[:4]),
            int(value[4:6]),
            int(value[6:8]),
            int(value[8:10]),
            int(value[10:12]),
            int(value[12:14]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def prepare(
    record: pymarc.Record, *, identifier: str, datestamp: datetime | None, marc_format: str = "auto"
) -> Prepared | Rejected:
    """Extract a record's fields, keys and copies; reject it, with the reason, when that fails."""
    try:
        values = extract(record, marc_format=marc_format)
    except DomainError as exc:
        return Rejected(identifier, str(exc.message))
    except Exception as exc:  # one odd record must not stop the others (house rule 10)
        return Rejected(identifier, f"fields could not be extracted: {type(exc).__name__}: {exc}")
    marc: dict[str, Any] = values.marc
    marc_json = orjson.dumps(marc).decode()
    tags = tags_of(marc)
    return Prepared(
        identifier=identifier,
        datestamp=datestamp,
        marc_format=values.marc_format,
        marc_json=marc_json,
        digest=digest(marc_json),
        keys=match_keys(values, tags),
        holdings=holdings_of(marc, tags),
    )
