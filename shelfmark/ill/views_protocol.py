"""Partners POST ISO 18626 messages here; every message gets the standard confirmation back, errors included."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from shelfmark.ill import iso18626, protocol


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    """Act on one message and answer with its confirmation (messageStatus OK or ERROR with errorData)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        body = request.body
    except RequestDataTooBig:
        now = timezone.now()
        error = iso18626.MessageError(iso18626.BADLY_FORMED, "the message is too large")
        answer = iso18626.build_confirmation(kind="", received=None, timestamp=now, received_at=now, error=error)
    else:
        answer = protocol.handle(body)
    return HttpResponse(answer, content_type="application/xml; charset=utf-8")
