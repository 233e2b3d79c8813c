"""The JSON API at /api/v1/: one NinjaAPI, each app adds its router; every error answers {code, message, field}."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from shelfmark.catalog.api import router as catalog_router
from shelfmark.circulation.api import router as circulation_router
from shelfmark.core.errors import DomainError
from shelfmark.fines.api import router as fines_router
from shelfmark.holdings.api import router as holdings_router
from shelfmark.patrons.api import router as patrons_router

api = NinjaAPI(
    title="Shelfmark API",
    version="1",
    urls_namespace="api",
    description=(
        "Staff operations use the staff login's session cookie and send the CSRF token in the X-CSRFToken "
        "header on writes; search is public. Every error answers {code, message, field}."
    ),
)
api.add_router("/catalog/", catalog_router)
api.add_router("/holdings/", holdings_router)
api.add_router("/patrons/", patrons_router)
api.add_router("/fines/", fines_router)
api.add_router("/circulation/", circulation_router)

# Stable codes for the HTTP errors django-ninja raises itself (auth, CSRF, unknown paths).
_HTTP_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found", 405: "method_not_allowed"}


def _error(request: HttpRequest, status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "field": field}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    # loc is ("body", "payload", "year") or ("query", "page"): the last parts name the field.
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "form", "payload")]
    field = ".".join(loc) or None
    message = str(first.get("msg", "The input is not valid."))
    return _error(request, 422, "invalid_input", f"{field}: {message}" if field else message, field)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "not_authenticated", "Log in as a staff member first.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in exc.message:
        return _error(request, 403, "csrf_failed", "Send the CSRF token (X-CSRFToken header) with every write.")
    return _error(request, exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), exc.message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(exc) or "Not found.")
