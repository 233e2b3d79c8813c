"""Typed domain errors with stable codes: the API answers {code, message, field}, SIP2 puts message in AF."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the user can act on; subclasses set a stable `code` and a translated `default_message`."""

    code: str = "domain_error"
    default_message: Any = _("The request could not be carried out.")
    status: int = 400

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: Any) -> None:
        self.field = field
        self.params = params
        text = str(message if message is not None else self.default_message)
        self.message = text.format(**params) if params else text
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    code = "not_found"
    default_message: Any = _("Not found.")
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    default_message: Any = _("You are not allowed to do this here.")
    status = 403


class InvalidInput(DomainError):
    code = "invalid_input"
    default_message: Any = _("The input is not valid.")
    status = 422
