"""The protocol's rules without the database: verbs and their arguments, dates, identifiers, formats and errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from shelfmark.catalog.models import MarcFormat
from shelfmark.protocols.bibxml import MARC_NS, MARC_SCHEMA

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

DAY = "YYYY-MM-DD"
SECOND = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
# OAI-PMH setSpec: unreserved URI characters, parts separated by ":".
SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")


@dataclass(frozen=True)
class MetadataFormat:
    """A metadataPrefix we disseminate; `marc_format` limits it to records kept in that MARC format."""

    prefix: str
    schema: str
    namespace: str
    marc_format: str | None = None


FORMATS = {
    "oai_dc": MetadataFormat("oai_dc", OAI_DC_SCHEMA, OAI_DC_NS),
    # MARCXML of MARC 21 records; CNMARC records travel in the same slim container under their own prefix,
    # because their tags mean other things (200 is the title there, 245 here).
    "marc21": MetadataFormat("marc21", MARC_SCHEMA, MARC_NS, MarcFormat.MARC21),
    "cnmarc": MetadataFormat("cnmarc", MARC_SCHEMA, MARC_NS, MarcFormat.CNMARC),
}


def formats_for(marc_format: str) -> list[MetadataFormat]:
    """Return the formats a record kept in `marc_format` is disseminated in."""
    return [f for f in FORMATS.values() if f.marc_format in (None, marc_format)]


class OaiError(Exception):
    """One of the protocol's error conditions, with its code and a message for the harvester's log."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def bad_argument(message: str) -> OaiError:
    return OaiError("badArgument", message)


# verb: (required, optional); a resumptionToken, where allowed, is exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
    "ListRecords": (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set", "resumptionToken"})),
}


@dataclass(frozen=True)
class Request:
    """A request whose verb and arguments passed the protocol's checks."""

    verb: str
    arguments: dict[str, str]


def parse_request(params: Any) -> Request:
    """Check the verb and the arguments (a QueryDict): badVerb or badArgument when they break the rules."""
    verbs = params.getlist("verb")
    if len(verbs) != 1 or verbs[0] not in VERBS:
        if len(verbs) > 1:
            raise OaiError("badVerb", _("verb 参数只能出现一次。"))
        if not verbs:
            raise OaiError("badVerb", _("缺少 verb 参数。"))
        raise OaiError("badVerb", _("“{verb}”不是 OAI-PMH 的动词。").format(verb=verbs[0]))
    verb = verbs[0]
    required, optional = VERBS[verb]
    arguments: dict[str, str] = {}
    for name in params:
        if name == "verb":
            continue
        values = params.getlist(name)
        if name not in required | optional:
            raise bad_argument(_("{verb} 不接受参数 {name}。").format(verb=verb, name=name))
        if len(values) != 1:
            raise bad_argument(_("参数 {name} 只能出现一次。").format(name=name))
        if not values[0]:
            raise bad_argument(_("参数 {name} 为空。").format(name=name))
        arguments[name] = values[0]
    if "resumptionToken" in arguments:
        others = sorted(set(arguments) - {"resumptionToken"})
        if others:
            raise bad_argument(
                _("resumptionToken 须单独使用，不能与 {names} 同时出现。").format(names=", ".join(others))
            )
        return Request(verb, arguments)
    missing = sorted(required - set(arguments))
    if missing:
        raise bad_argument(_("{verb} 缺少必需参数 {names}。").format(verb=verb, names=", ".join(missing)))
    if "set" in arguments and not SET_SPEC.fullmatch(arguments["set"]):
        raise bad_argument(_("set 参数“{value}”不是合法的 setSpec。").format(value=arguments["set"]))
    bounds(arguments.get("from"), arguments.get("until"))
    return Request(verb, arguments)


def parse_date(value: str, name: str) -> tuple[datetime, str]:
    """Read a from/until value at day or second granularity; return it (UTC) and its granularity."""
    try:
        if _SECOND.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), SECOND
        if _DAY.fullmatch(value):
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC), DAY
    except ValueError:
        pass
    raise bad_argument(
        _("参数 {name} 的值“{value}”不是 YYYY-MM-DD 或 YYYY-MM-DDThh:mm:ssZ 格式的日期。").format(
            name=name, value=value
        )
    )


def bounds(start: str | None, end: str | None) -> tuple[datetime | None, datetime | None]:
    """Return the datestamp range [from, until + one granule) of from/until: until is inclusive to its granule."""
    lower = upper = None
    lower_granularity = upper_granularity = None
    if start:
        lower, lower_granularity = parse_date(start, "from")
    if end:
        day, upper_granularity = parse_date(end, "until")
        upper = day + (timedelta(days=1) if upper_granularity == DAY else timedelta(seconds=1))
    if lower_granularity and upper_granularity and lower_granularity != upper_granularity:
        raise bad_argument(_("from 与 until 的日期粒度必须相同。"))
    if lower is not None and upper is not None and lower >= upper:
        raise bad_argument(_("from 晚于 until。"))
    return lower, upper


def datestamp(moment: datetime) -> str:
    """Format a moment as an OAI-PMH datestamp: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def repository_id() -> str:
    return str(settings.SHELFMARK_OAI_REPOSITORY_ID)


def identifier(record_id: int) -> str:
    """Return a record's OAI identifier: oai:<repository identifier>:<record id>."""
    return f"oai:{repository_id()}:{record_id}"


def record_id(value: str) -> int | None:
    """Return the record id an OAI identifier of this repository names, or None when it names none."""
    prefix = f"oai:{repository_id()}:"
    local = value[len(prefix) :] if value.startswith(prefix) else ""
    return int(local) if local.isascii() and local.isdigit() and len(local) < 19 else None


def metadata_format(prefix: str) -> MetadataFormat:
    """Return the format of a metadataPrefix, or raise cannotDisseminateFormat."""
    try:
        return FORMATS[prefix]
    except KeyError:
        raise OaiError(
            "cannotDisseminateFormat",
            _("不提供元数据格式“{prefix}”；可用：{prefixes}。").format(prefix=prefix, prefixes=", ".join(FORMATS)),
        ) from None
