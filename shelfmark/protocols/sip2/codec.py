"""SIP2 wire format: split a frame into command, fixed and variable fields; checksum (AZ) and sequence (AY).

A frame is `<command><fixed fields><ID value|>...[AY<digit>AZ<4 hex>]` ended by a carriage return. The
checksum is the 16-bit two's complement of the sum of every byte up to and including "AZ". Terminals
differ in details, and the decoder accepts what peers are known to send: a checksum of fewer than four
digits (no zero padding), a sum over characters instead of encoded bytes, a line feed after the carriage
return, a missing final "|". What it cannot read it reports as a FrameError (answered with a 96 resend) or
a MalformedMessage (answered with the command's own refusal, the reason in AF).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shelfmark.protocols.sip2 import spec

_CHECKSUM = re.compile(rb"AZ([0-9A-Fa-f]{1,4})$")
_SEQUENCE = re.compile(r"AY(\d)$")
_COMMAND = re.compile(r"\d\d")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class FrameError(Exception):
    """The frame cannot be trusted (bad checksum, bytes that do not decode): the terminal should resend."""

    def __init__(self, reason: str, *, uses_checksum: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.uses_checksum = uses_checksum


class UnknownCommand(FrameError):
    """The two-digit command is not one of SIP2 2.00's requests."""


class MalformedMessage(Exception):
    """A known command whose fixed fields are cut short: refused with the reason, nothing done."""

    def __init__(self, command: str, reason: str, *, sequence: str | None, uses_checksum: bool) -> None:
        super().__init__(reason)
        self.command = command
        self.reason = reason
        self.sequence = sequence
        self.uses_checksum = uses_checksum


@dataclass
class Message:
    """One decoded request or response."""

    command: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)
    sequence: str | None = None  # the AY digit, when the terminal uses sequence numbers
    uses_checksum: bool = False  # whether the frame carried an AZ checksum

    def get(self, field_id: str, default: str = "") -> str:
        """Return the first value of a variable field, or `default` when it is absent."""
        for fid, value in self.fields:
            if fid == field_id:
                return value
        return default

    def has(self, field_id: str) -> bool:
        return any(fid == field_id for fid, _ in self.fields)

    def all(self, field_id: str) -> list[str]:
        """Return every value of a repeatable field (item lists, screen messages), in order."""
        return [value for fid, value in self.fields if fid == field_id]


def checksum(data: bytes) -> str:
    """Return the four hex digits of the SIP2 checksum of `data` (everything up to and including "AZ")."""
    return f"{-sum(data) & 0xFFFF:04X}"


def _checksum_matches(head: bytes, given: str, text_head: str | None) -> bool:
    expected = int(given, 16)
    if -sum(head) & 0xFFFF == expected:
        return True
    # Some clients sum characters (code points) rather than the encoded bytes of non-ASCII text.
    return text_head is not None and -sum(map(ord, text_head)) & 0xFFFF == expected


def decode(raw: bytes, *, encoding: str = "utf-8") -> Message:
    """Decode one frame (its terminator already removed) into a Message, or raise FrameError/MalformedMessage."""
    frame = raw.strip(b"\r\n")
    found = _CHECKSUM.search(frame)
    uses_checksum = found is not None
    try:
        text = frame.decode(encoding)
    except UnicodeDecodeError:
        raise FrameError(f"not {encoding} text", uses_checksum=uses_checksum) from None
    if found is not None:
        head = frame[: found.start() + 2]
        text_head = text[: len(text) - len(found.group(1))]
        if not _checksum_matches(head, found.group(1).decode("ascii"), text_head):
            raise FrameError("checksum does not match", uses_checksum=True)
        text = text_head[:-2]
    sequence = None
    if found is not None and (seq := _SEQUENCE.search(text)) is not None:
        # With a checksum the sequence number sits right before AZ, even when a client forgot the "|" before it.
        sequence = seq.group(1)
        text = text[: seq.start()]
    command_code = text[:2]
    if not _COMMAND.fullmatch(command_code):
        raise FrameError(f"no command code at the start: {text[:2]!r}", uses_checksum=uses_checksum)
    command = spec.REQUESTS.get(command_code) or spec.RESPONSES.get(command_code)
    if command is None:
        raise UnknownCommand(f"unknown command {command_code}", uses_checksum=uses_checksum)
    body = text[2:]
    if len(body) < command.fixed_width:
        missing = _first_missing(command, len(body))
        raise MalformedMessage(
            command_code,
            f"fixed field {missing} is cut short ({len(body)} of {command.fixed_width} characters)",
            sequence=sequence,
            uses_checksum=uses_checksum,
        )
    fixed, at = {}, 0
    for name, width in command.fixed:
        fixed[name] = body[at : at + width]
        at += width
    fields = _variable_fields(body[at:])
    if sequence is None and fields and fields[-1][0] == "AY" and re.fullmatch(r"\d", fields[-1][1]):
        sequence = fields.pop()[1]
    return Message(command=command_code, fixed=fixed, fields=fields, sequence=sequence, uses_checksum=uses_checksum)


def _first_missing(command: spec.Command, length: int) -> str:
    at = 0
    for name, width in command.fixed:
        at += width
        if at > length:
            return name
    return command.fixed[-1][0]


def _variable_fields(text: str) -> list[tuple[str, str]]:
    return [(part[:2], part[2:]) for part in text.split("|") if len(part) >= 2]


def clean(value: object) -> str:
    """Make a value safe inside a field: no delimiter, no carriage return or other control characters."""
    return _CONTROL.sub(" ", str(value)).replace("|", "/")


def encode(message: Message, *, encoding: str = "utf-8") -> bytes:
    """Format a response: fixed fields checked against their widths, variable fields cleaned, then the
    sequence and checksum when the request used them, and the carriage return."""
    command = spec.RESPONSES.get(message.command) or spec.REQUESTS[message.command]
    parts = [message.command]
    for name, width in command.fixed:
        value = message.fixed[name]
        if len(value) != width:
            raise ValueError(f"{command.name}.{name} must be {width} characters, got {value!r}")
        parts.append(value)
    parts.extend(f"{fid}{clean(value)[:255]}|" for fid, value in message.fields)
    if message.sequence is not None:
        parts.append(f"AY{message.sequence}")
    data = "".join(parts).encode(encoding, errors="replace")
    if message.uses_checksum:
        data += b"AZ"
        data += checksum(data).encode("ascii")
    return data + b"\r"


def request_resend(*, uses_checksum: bool) -> bytes:
    """Return the 96 message asking the terminal to send its last message again (never a sequence number)."""
    return encode(Message("96", uses_checksum=uses_checksum))


def masked(text: str) -> str:
    """Return a frame for logs with PINs and passwords (AD, AC, CO) replaced by asterisks."""
    command = spec.REQUESTS.get(text[:2]) or spec.RESPONSES.get(text[:2])
    at = 2 + command.fixed_width if command is not None else 0
    head, parts = text[:at], text[at:].split("|")
    return head + "|".join(f"{part[:2]}****" if part[:2] in spec.SECRET_FIELDS else part for part in parts)
