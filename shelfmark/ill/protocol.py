"""The ISO 18626 endpoint's work: read a partner's message, act on it through the services, build the confirmation.

Whatever arrives gets a confirmation: messageStatus OK, or ERROR with the standard's errorType (never a server
error), so a partner's system always knows what became of its message.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from shelfmark.core.errors import DomainError
from shelfmark.ill import iso18626, rules, services
from shelfmark.ill.iso18626 import MessageError
from shelfmark.ill.models import Partner, Request
from shelfmark.libraries.models import Library

logger = logging.getLogger(__name__)


def handle(body: bytes, *, now: datetime | None = None) -> bytes:
    """Act on one posted message and return the confirmation to send back."""
    received_at = now or timezone.now()
    message: iso18626.Message | None = None
    kind = ""
    try:
        message = iso18626.read(body)
        kind = message.kind
        _act(message, received_at)
    except MessageError as exc:
        message = exc.message or message
        kind = message.kind if message is not None else kind
        return iso18626.build_confirmation(
            kind=kind, received=message, timestamp=timezone.now(), received_at=received_at, error=exc
        )
    except DomainError as exc:
        error = MessageError(iso18626.UNRECOGNISED_VALUE, f"{exc.field or 'message'}: {exc.message}")
        return iso18626.build_confirmation(
            kind=kind, received=message, timestamp=timezone.now(), received_at=received_at, error=error
        )
    except Exception:  # a partner gets an answer even when we fail; the log keeps the trace
        logger.exception("ISO 18626 message could not be processed")
        error = MessageError(iso18626.UNRECOGNISED_VALUE, "the message could not be processed here; try again later")
        return iso18626.build_confirmation(
            kind=kind, received=message, timestamp=timezone.now(), received_at=received_at, error=error
        )
    return iso18626.build_confirmation(kind=kind, received=message, timestamp=timezone.now(), received_at=received_at)


def _partner(agency: iso18626.Agency, message: iso18626.Message, role: str) -> Partner:
    partner = Partner.objects.filter(agency_id_type=agency.id_type, agency_id=agency.id_value, is_active=True).first()
    if partner is None:
        raise MessageError(
            iso18626.UNRECOGNISED_VALUE,
            f"{role} {agency.id_type}:{agency.id_value} is not a partner of this installation",
            message=message,
        )
    if partner.security_code and message.security_code != partner.security_code:
        raise MessageError(
            iso18626.UNRECOGNISED_VALUE, "requestingAgencyAuthentication/securityCode does not match", message=message
        )
    return partner


def _our_library(agency: iso18626.Agency, message: iso18626.Message, role: str) -> Library:
    ours = services.agency_id_type()
    library = Library.objects.filter(code=agency.id_value, is_active=True).first() if agency.id_type == ours else None
    if library is None:
        raise MessageError(
            iso18626.UNRECOGNISED_VALUE,
            f"{role} {agency.id_type}:{agency.id_value} is not a library here",
            message=message,
        )
    return library


def _act(message: iso18626.Message, now: datetime) -> None:
    if message.kind == "request":
        partner = _partner(message.requesting, message, "requestingAgencyId")
        library = _our_library(message.supplying, message, "supplyingAgencyId")
        if Request.objects.filter(requesting_partner=partner, peer_request_id=message.requesting_request_id).exists():
            raise MessageError(
                iso18626.UNRECOGNISED_VALUE,
                f"requestingAgencyRequestId {message.requesting_request_id} was already requested",
                message=message,
            )
        services.take_partner_request(partner=partner, supplying_library=library, message=message, now=now)
    elif message.kind == "supplyingAgencyMessage":
        if message.reason not in rules.ISO_REASONS:
            raise MessageError(iso18626.UNSUPPORTED_REASON, f"reasonForMessage {message.reason}", message=message)
        if message.status not in rules.ISO_STATUSES:
            raise MessageError(iso18626.UNRECOGNISED_VALUE, f"statusInfo/status {message.status}", message=message)
        partner = _partner(message.supplying, message, "supplyingAgencyId")
        library = _our_library(message.requesting, message, "requestingAgencyId")
        request = _borrowing_request(message, partner, library)
        services.apply_lender_message(request=request, message=message, now=now)
    else:
        if message.action not in rules.SUPPORTED_ACTIONS:
            raise MessageError(iso18626.UNSUPPORTED_ACTION, f"action {message.action}", message=message)
        partner = _partner(message.requesting, message, "requestingAgencyId")
        library = _our_library(message.supplying, message, "supplyingAgencyId")
        lent = Request.objects.filter(
            requesting_partner=partner, peer_request_id=message.requesting_request_id, supplying_library=library
        ).first()
        if lent is None:
            raise _unknown_request(message)
        services.apply_borrower_message(request=lent, message=message, now=now)


def _borrowing_request(message: iso18626.Message, partner: Partner, library: Library) -> Request:
    number, _dash, attempt = message.requesting_request_id.partition("-")
    if not (number.isdigit() and attempt.isdigit()):
        raise _unknown_request(message)
    request = Request.objects.filter(
        pk=int(number), attempt=int(attempt), requesting_library=library, supplying_partner=partner
    ).first()
    if request is None:
        raise _unknown_request(message)
    return request


def _unknown_request(message: iso18626.Message) -> MessageError:
    return MessageError(
        iso18626.UNRECOGNISED_VALUE,
        f"requestingAgencyRequestId {message.requesting_request_id} is not known here",
        message=message,
    )
