"""The /oai endpoint: check the request, read what it asks for, then stream the response."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import protocol, repository, responses, sets, tokens
from .protocol import OaiError, Request
from .repository import Entry, Selection
from .tokens import ListState

CONTENT_TYPE = "text/xml; charset=utf-8"
Handler = Callable[[Request, datetime, HttpRequest], responses.Body]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def oai(request: HttpRequest) -> StreamingHttpResponse:
    """Answer one OAI-PMH request (GET, or POST with form-encoded arguments)."""
    now = timezone.now()
    base_url = request.build_absolute_uri(request.path)
    params = request.POST if request.method == "POST" else request.GET
    try:
        parsed = protocol.parse_request(params)
    except OaiError as error:
        return _respond(now, base_url, {}, errors=[error])
    attributes = {"verb": parsed.verb, **parsed.arguments}
    try:
        body = HANDLERS[parsed.verb](parsed, now, request)
    except OaiError as error:
        # The protocol asks for a bare <request> when the arguments themselves were at fault.
        return _respond(now, base_url, {} if error.code in ("badVerb", "badArgument") else attributes, errors=[error])
    return _respond(now, base_url, attributes, body=body)


def _respond(
    now: datetime,
    base_url: str,
    attributes: dict[str, str],
    *,
    body: responses.Body | None = None,
    errors: list[OaiError] | None = None,
) -> StreamingHttpResponse:
    chunks = responses.stream(now=now, base_url=base_url, request_attributes=attributes, body=body, errors=errors or [])
    return StreamingHttpResponse(chunks, content_type=CONTENT_TYPE)


def identify(parsed: Request, now: datetime, request: HttpRequest) -> responses.Body:
    earliest = repository.earliest_datestamp() or now
    children = responses.identify(
        name=str(settings.SHELFMARK_OAI_REPOSITORY_NAME),
        base_url=request.build_absolute_uri(request.path),
        admin_email=str(settings.SHELFMARK_OAI_ADMIN_EMAIL),
        earliest=protocol.datestamp(earliest),
        repository_id=protocol.repository_id(),
        sample=protocol.identifier(1),
    )

    def body(xf: Any) -> Iterator[None]:
        with responses.verb_element(xf, "Identify"):
            for child in children:
                xf.write(child)
        yield

    return body


def list_metadata_formats(parsed: Request, now: datetime, request: HttpRequest) -> responses.Body:
    formats = list(protocol.FORMATS.values())
    if "identifier" in parsed.arguments:
        entry = _find(parsed.arguments["identifier"], metadata=False)
        # Every record has oai_dc, so noMetadataFormats never applies here.
        formats = protocol.formats_for(entry.marc_format)

    def body(xf: Any) -> Iterator[None]:
        with responses.verb_element(xf, "ListMetadataFormats"):
            for fmt in formats:
                xf.write(responses.metadata_format(fmt))
        yield

    return body


def list_sets(parsed: Request, now: datetime, request: HttpRequest) -> responses.Body:
    if "resumptionToken" in parsed.arguments:
        # Every set is sent in one response, so this repository never hands out a ListSets token.
        raise OaiError("badResumptionToken", _("ListSets 一次列出全部集合，没有 resumptionToken。"))
    all_sets = sets.all_sets(sets.Network())

    def body(xf: Any) -> Iterator[None]:
        with responses.verb_element(xf, "ListSets"):
            for spec, name in all_sets:
                xf.write(responses.set_element(spec, name))
        yield

    return body


def get_record(parsed: Request, now: datetime, request: HttpRequest) -> responses.Body:
    fmt = protocol.metadata_format(parsed.arguments["metadataPrefix"])
    entry = _find(parsed.arguments["identifier"], metadata=True)
    if fmt not in protocol.formats_for(entry.marc_format):
        raise OaiError(
            "cannotDisseminateFormat",
            _("这条记录是 {marc_format} 格式，不提供 {prefix}。").format(
                marc_format=entry.marc_format, prefix=fmt.prefix
            ),
        )
    network = sets.Network()
    element = responses.record(entry, repository.set_specs(entry, network), fmt, links=_links(request, entry))

    def body(xf: Any) -> Iterator[None]:
        with responses.verb_element(xf, "GetRecord"):
            xf.write(element)
        yield

    return body


def _list(parsed: Request, now: datetime, request: HttpRequest) -> responses.Body:
    """ListIdentifiers and ListRecords: one page in id order, and a token for the rest."""
    verb, arguments = parsed.verb, parsed.arguments
    resumed = "resumptionToken" in arguments
    if resumed:
        state = tokens.decode(arguments["resumptionToken"], verb=verb, now=now)
    else:
        state = ListState(
            verb=verb,
            prefix=arguments["metadataPrefix"],
            set=arguments.get("set"),
            start=arguments.get("from"),
            end=arguments.get("until"),
            after=0,
            cursor=0,
            size=-1,
        )
    fmt = protocol.metadata_format(state.prefix)
    start, end = protocol.bounds(state.start, state.end)
    network = sets.Network()
    chosen = None
    if state.set is not None:
        chosen = sets.resolve(state.set, network)
        if chosen is None:
            raise OaiError("noRecordsMatch", _("没有名为“{spec}”的集合。").format(spec=state.set))
    selection = Selection(fmt, chosen, start, end)
    with_metadata = verb == "ListRecords"
    limit = int(settings.SHELFMARK_OAI_PAGE_SIZE)
    entries, more = repository.page(selection, after=state.after, limit=limit, metadata=with_metadata)
    if not entries:
        raise OaiError("noRecordsMatch", _("没有符合条件的记录。"))
    token = None
    if more or resumed:
        size = state.size if state.size >= 0 else repository.count(selection)
        if more:
            following = replace(state, after=entries[-1].record_id, cursor=state.cursor + len(entries), size=size)
            value, expires = tokens.encode(following, now=now)
            token = responses.resumption_token(value, expires=expires, size=size, cursor=state.cursor)
        else:
            token = responses.resumption_token("", expires=None, size=size, cursor=state.cursor)

    def body(xf: Any) -> Iterator[None]:
        with responses.verb_element(xf, verb):
            for entry in entries:
                specs = repository.set_specs(entry, network)
                if with_metadata:
                    xf.write(responses.record(entry, specs, fmt, links=_links(request, entry)))
                else:
                    xf.write(responses.header(entry, specs))
                yield
            if token is not None:
                xf.write(token)
        yield

    return body


def _find(value: str, *, metadata: bool) -> Entry:
    record_id = protocol.record_id(value)
    entry = repository.find(record_id, metadata=metadata) if record_id is not None else None
    if entry is None:
        raise OaiError("idDoesNotExist", _("本库没有标识符为“{identifier}”的记录。").format(identifier=value))
    return entry


def _links(request: HttpRequest, entry: Entry) -> list[str]:
    """Where a reader finds the record: its OPAC page."""
    if entry.deleted:
        return []
    return [request.build_absolute_uri(reverse("opac:record", kwargs={"record_id": entry.record_id}))]


HANDLERS: dict[str, Handler] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "GetRecord": get_record,
    "ListIdentifiers": _list,
    "ListRecords": _list,
}
