"""The /sru endpoint: pick the version and the operation, check the parameters, search, answer."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import query, responses, search
from .diagnostics import Diagnostic
from .responses import V1_2, V2_0, Page, Version

VERSIONS = {"1.1": V1_2, "1.2": V1_2, "2.0": V2_0}
ACCEPTED_TYPES = ("application/sru+xml", "application/xml", "text/xml")
COMMON = {"operation", "version", "stylesheet", "extraRequestData", "httpAccept", "recordPacking", "recordXMLEscaping"}
SEARCH = COMMON | {
    "query",
    "queryType",
    "startRecord",
    "maximumRecords",
    "recordSchema",
    "resultSetTTL",
    "sortKeys",
    "recordXPath",
    "renderedBy",
}


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sru(request: HttpRequest) -> HttpResponse:
    """Answer an SRU request: explain when there is no query, searchRetrieve when there is one."""
    params = request.POST if request.method == "POST" else request.GET
    requested = params.get("version")
    version = VERSIONS.get(requested or "2.0")
    if version is None:
        answer = _fatal(V2_0, Diagnostic(5, "2.0"), explain_request=True, request=request)
    else:
        answer = _answer(request, params, version)
    return HttpResponse(answer.body, content_type=f"{answer.content_type}; charset=utf-8")


def _answer(request: HttpRequest, params: QueryDict, version: Version) -> Answer:
    operation = params.get("operation") or ("searchRetrieve" if "query" in params else "explain")
    try:
        content_type = _content_type(params, version)
        if operation == "explain":
            _check_parameters(params, COMMON)
            escaped = _escaped(params, version)
            return Answer(responses.explain(version, _server(request), escaped=escaped), content_type)
        if operation == "searchRetrieve":
            _check_parameters(params, SEARCH)
            return Answer(_search_retrieve(request, params, version), content_type)
        raise Diagnostic(4, operation)
    except Diagnostic as diagnostic:
        return _fatal(version, diagnostic, explain_request=operation == "explain", request=request)


def _fatal(version: Version, diagnostic: Diagnostic, *, explain_request: bool, request: HttpRequest) -> Answer:
    if explain_request:
        body = responses.explain(version, _server(request), escaped=False, diagnostics=[diagnostic])
    else:
        body = responses.search_retrieve(version, None, [diagnostic])
    return Answer(body, version.content_type)


def _check_parameters(params: QueryDict, allowed: set[str]) -> None:
    for name in params:
        if name not in allowed and not name.startswith("x-"):
            raise Diagnostic(8, name)
    if params.get("stylesheet"):
        raise Diagnostic(110, params.get("stylesheet", ""))
    if params.get("recordXPath"):
        raise Diagnostic(8, "recordXPath")
    if params.get("sortKeys"):
        raise Diagnostic(80, params.get("sortKeys", ""))


def _content_type(params: QueryDict, version: Version) -> str:
    wanted = params.get("httpAccept")
    if not wanted:
        return version.content_type
    if wanted not in ACCEPTED_TYPES:
        raise Diagnostic(6, "httpAccept")
    return wanted


def _escaped(params: QueryDict, version: Version) -> bool:
    """Whether records go as escaped strings: recordPacking in 1.2, recordXMLEscaping in 2.0."""
    if version is V1_2:
        packing = params.get("recordPacking") or "xml"
        if packing not in ("xml", "string"):
            raise Diagnostic(71, packing)
        return packing == "string"
    # In 2.0 recordPacking says packed (records whole) or unpacked; every record here is packed.
    if params.get("recordPacking", "packed") != "packed":
        raise Diagnostic(71, params.get("recordPacking", ""))
    escaping = params.get("recordXMLEscaping") or "xml"
    if escaping not in ("xml", "string"):
        raise Diagnostic(71, escaping)
    return escaping == "string"


def _positive(params: QueryDict, name: str, default: int, *, minimum: int) -> int:
    value = params.get(name)
    if value is None or value == "":
        return default
    if not value.isascii() or not value.isdigit() or int(value) < minimum:
        raise Diagnostic(6, name)
    return int(value)


def _search_retrieve(request: HttpRequest, params: QueryDict, version: Version) -> bytes:
    text = params.get("query")
    if text is None:
        raise Diagnostic(7, "query")
    if (params.get("queryType") or "cql") != "cql":
        raise Diagnostic(6, "queryType")
    start = _positive(params, "startRecord", 1, minimum=1)
    wanted = _positive(params, "maximumRecords", int(settings.SHELFMARK_SRU_DEFAULT_RECORDS), minimum=0)
    # A server may send fewer than asked; nextRecordPosition tells the client where to go on.
    limit = min(wanted, int(settings.SHELFMARK_SRU_MAXIMUM_RECORDS))
    schema = responses.find_schema(params.get("recordSchema") or "marcxml")
    if schema is None:
        raise Diagnostic(66, params.get("recordSchema", ""))
    escaped = _escaped(params, version)
    plan = query.parse(text)
    total, ids = search.run(plan, offset=start - 1, limit=limit)
    if total and start > total:
        return responses.search_retrieve(version, None, [Diagnostic(61, str(start))], total=total)
    records = search.records(ids)
    page = Page(
        total=total,
        start=start,
        records=records,
        holdings=search.holdings(ids) if schema.name == "marcxml" else {},
        schema=schema,
        escaped=escaped,
        links={pk: request.build_absolute_uri(reverse("opac:record", kwargs={"record_id": pk})) for pk in ids},
        echo={
            "version": version.number,
            "query": text,
            "startRecord": str(start),
            "maximumRecords": str(wanted),
            "recordPacking": "string" if escaped else "xml",
            "recordSchema": schema.name,
        },
    )
    return responses.search_retrieve(version, page)


def _server(request: HttpRequest) -> responses.Server:
    host = request.get_host().rsplit(":", 1)[0] if request.get_host().count(":") == 1 else request.get_host()
    return responses.Server(
        host=host,
        port=int(request.get_port()),
        database=request.path.strip("/") or "sru",
        title=str(settings.SHELFMARK_SRU_DATABASE_TITLE),
        default_records=int(settings.SHELFMARK_SRU_DEFAULT_RECORDS),
        maximum_records=int(settings.SHELFMARK_SRU_MAXIMUM_RECORDS),
    )
