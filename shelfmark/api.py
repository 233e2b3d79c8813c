"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router; domain errors become {code, message, field}."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from shelfmark.core.errors import DomainError

api = NinjaAPI(title="Shelfmark API", version="1", urls_namespace="api")


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)
