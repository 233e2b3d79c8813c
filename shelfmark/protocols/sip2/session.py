"""One terminal connection's conversation: frame in, frame out, with login, resends and error detection.

`Session.respond` is synchronous and does the whole exchange for one frame, so tests replay transcripts
through it directly and the server runs it on a database worker thread. A frame that cannot be trusted
gets a 96 (send it again); a known command that cannot be carried out gets its own response, negative,
with the reason in AF; a retransmission (same frame, same sequence number) gets the first answer again,
never a second execution.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shelfmark.core.errors import DomainError
from shelfmark.protocols.sip2 import codec, selectors, spec, translate
from shelfmark.protocols.sip2.codec import FrameError, MalformedMessage, Message
from shelfmark.protocols.sip2.errors import NotLoggedIn
from shelfmark.protocols.sip2.handlers import BEFORE_LOGIN, HANDLERS, Context, refusal
from shelfmark.protocols.sip2.messagelog import MessageLog
from shelfmark.protocols.sip2.models import Terminal

logger = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 3
RECHECK_SECONDS = 5.0  # how soon a disabled terminal's open connection stops being served


class Session:
    """The state of one connection: who logged in, the reader whose PIN was given, the last exchange."""

    def __init__(
        self,
        *,
        peer: str = "",
        log: MessageLog | None = None,
        timeout_tenths: int = 100,
        clock: Callable[[], datetime] = timezone.now,
    ) -> None:
        self.peer = peer
        self.log = log
        self.timeout_tenths = timeout_tenths
        self.clock = clock
        self.terminal: Terminal | None = None
        self.verified_patron_id: int | None = None
        self.uses_checksum = False
        self.language = spec.LANGUAGE_CHINESE
        self.failed_logins = 0
        self.closing = False  # the server closes the connection after sending the answer
        self.last_frame: bytes | None = None
        self.last_response: bytes | None = None
        self._checked_at = 0.0
        self._verified_pin: bytes | None = None

    @property
    def encoding(self) -> str:
        return self.terminal.encoding if self.terminal is not None else "utf-8"

    def log_in(self, terminal: Terminal) -> None:
        """Bind the connection to a terminal account (a new login replaces the old one)."""
        self.terminal = terminal
        self.verified_patron_id = None
        self.failed_logins = 0
        self._checked_at = time.monotonic()

    def remember_pin(self, patron_id: int, pin: str) -> None:
        """Note that this reader gave this (right) PIN in this session, until end session or another reader."""
        self.verified_patron_id = patron_id
        self._verified_pin = hmac.new(settings.SECRET_KEY.encode(), pin.encode(), hashlib.sha256).digest()

    def pin_verified(self, patron_id: int, pin: str) -> bool:
        """Tell whether this reader's PIN was already verified in this session and `pin` is that PIN."""
        if self.verified_patron_id != patron_id or self._verified_pin is None:
            return False
        digest = hmac.new(settings.SECRET_KEY.encode(), pin.encode(), hashlib.sha256).digest()
        return hmac.compare_digest(digest, self._verified_pin)

    def respond(self, raw: bytes) -> bytes | None:
        """Answer one frame (terminator optional); None for an empty line, which gets no answer."""
        frame = raw.strip(b"\r\n")
        if not frame:
            return None
        self._log(">>", frame)
        if frame == self.last_frame and self.last_response is not None and b"AY" in frame:
            return self._send(self.last_response, remember=False)
        try:
            request = self._decode(frame)
        except FrameError as error:
            self.uses_checksum = self.uses_checksum or error.uses_checksum
            logger.info("sip2 %s: resend asked (%s)", self.peer, error.reason)
            return self._send(codec.request_resend(uses_checksum=self.uses_checksum), remember=False)
        except MalformedMessage as error:
            request = Message(error.command, sequence=error.sequence, uses_checksum=error.uses_checksum)
            return self._answer(request, reason=_("消息格式错误：{reason}").format(reason=error.reason), frame=frame)
        self.uses_checksum = self.uses_checksum or request.uses_checksum
        if request.command == "97":
            resend = self.last_response or codec.request_resend(uses_checksum=self.uses_checksum)
            return self._send(resend, remember=False)
        return self._answer(request, frame=frame)

    def _decode(self, frame: bytes) -> Message:
        try:
            request = codec.decode(frame, encoding=self.encoding)
        except FrameError as error:
            if self.terminal is not None or type(error) is not FrameError or error.reason != "not utf-8 text":
                raise
            # Before login the encoding is not known yet: an older Chinese kiosk may already speak GB18030.
            request = codec.decode(frame, encoding="gb18030")
        if request.command not in spec.REQUESTS:
            raise FrameError(f"{request.command} is not a request", uses_checksum=request.uses_checksum)
        return request

    def _answer(self, request: Message, *, frame: bytes, reason: str | None = None) -> bytes:
        if "language" in request.fixed:
            self.language, _django = translate.response_language(request.fixed["language"])
        code, language = translate.response_language(self.language)
        ctx = Context(session=self, now=self.clock(), language=code)
        with translation.override(language):
            response = refusal(ctx, request, reason) if reason is not None else self._dispatch(ctx, request)
        response.sequence = request.sequence
        response.uses_checksum = request.uses_checksum
        data = codec.encode(response, encoding=self.encoding)
        self.last_frame = frame
        for note in ctx.notes:
            logger.info("sip2 %s: %s", self.peer, note)
        return self._send(data, remember=True)

    def _dispatch(self, ctx: Context, request: Message) -> Message:
        if self.terminal is None and request.command not in BEFORE_LOGIN:
            return refusal(ctx, request, NotLoggedIn().message)
        if self.terminal is not None and not self._still_enabled():
            self.terminal = None
            self.closing = True
            return refusal(ctx, request, _("终端已停用。"))
        try:
            response = HANDLERS[request.command](ctx, request)
        except DomainError as error:
            return refusal(ctx, request, error.message)
        except Exception:
            logger.exception("sip2 %s: %s failed", self.peer, spec.REQUESTS[request.command].name)
            return refusal(ctx, request, _("系统出错，请重试；如仍不成功请联系馆员。"))
        if self.failed_logins >= MAX_FAILED_LOGINS:
            self.closing = True
        return response

    def _still_enabled(self) -> bool:
        assert self.terminal is not None
        if time.monotonic() - self._checked_at < RECHECK_SECONDS:
            return True
        self._checked_at = time.monotonic()
        return selectors.is_enabled(self.terminal.pk)

    def _send(self, data: bytes, *, remember: bool) -> bytes:
        if remember:
            self.last_response = data
        self._log("<<", data)
        return data

    def _log(self, direction: str, data: bytes) -> None:
        if self.log is not None:
            login = self.terminal.login if self.terminal is not None else None
            self.log.write(login, self.peer, direction, data.decode(self.encoding, errors="replace"))
