"""Stream MARC records out of ISO 2709 or MARCXML files, one entry per record, broken records included.

A broken record (bad leader, bad directory, undecodable bytes) becomes an entry that names the fault;
reading goes on with the next record, found by the record length in the leader or, when that is
wrong, by the next record terminator (0x1D). Files are read in blocks, never whole.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pymarc
from lxml import etree
from pymarc.marc8 import MARC8ToUnicode

from shelfmark.catalog.marc.charset import looks_like_gb18030

ENCODINGS = ("auto", "utf-8", "marc-8", "gb18030")
FIELD_TERMINATOR = 0x1E
RECORD_TERMINATOR = 0x1D
SUBFIELD_DELIMITER = b"\x1f"
LEADER_LENGTH = 24
DIRECTORY_ENTRY_LENGTH = 12
MAX_RECORD_LENGTH = 99999
_BLOCK = 1 << 20
# Bytes that may sit between records (line ends, padding, a DOS end-of-file mark) and are not a record.
_FILLER = b"\r\n\t \x00\x1a"
_MARCXML_NS = "http://www.loc.gov/MARC21/slim"
_TAG = re.compile(r"^[0-9A-Za-z]{3}$")


@dataclass(frozen=True, slots=True)
class MarcEntry:
    """One record of a file: its 1-based position, byte offset (-1 in XML), the record or what is wrong."""

    position: int
    offset: int
    record: pymarc.Record | None
    error: str | None
    raw: bytes
    encoding: str = ""


class MarcDecodeError(ValueError):
    """A record's bytes do not form a MARC record; the message names the part at fault."""


def iter_marc(
    source: str | Path | BinaryIO, *, encoding: str = "auto", take: Callable[[int], bool] | None = None
) -> Iterator[MarcEntry]:
    """Yield every record of an ISO 2709 or MARCXML file in order, reading it in blocks.

    With `take`, only the records whose 1-based position it accepts are decoded and yielded (the
    import's worker processes share a file this way); positions still count every record.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown MARC encoding {encoding!r}; use one of {', '.join(ENCODINGS)}")
    with ExitStack() as stack:
        fh: BinaryIO = stack.enter_context(Path(source).open("rb")) if isinstance(source, str | Path) else source
        head = fh.read(_BLOCK)
        if head.lstrip(b"\xef\xbb\xbf" + _FILLER).startswith(b"<"):
            yield from _iter_xml(_Prepended(head, fh), take)
        else:
            yield from _iter_iso2709(head, fh, encoding, take)


class _Prepended:
    """A file object that first returns bytes already read from it (used to sniff the format)."""

    def __init__(self, head: bytes, fh: BinaryIO) -> None:
        self._head = head
        self._fh = fh

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size < 0 or size >= len(self._head):
                head, self._head = self._head, b""
                return head + (self._fh.read(size - len(head)) if size >= 0 else self._fh.read())
            head, self._head = self._head[:size], self._head[size:]
            return head
        return self._fh.read(size)


def _iter_iso2709(head: bytes, fh: BinaryIO, encoding: str, take: Callable[[int], bool] | None) -> Iterator[MarcEntry]:
    position = 0
    for offset, raw, framing_error in _frames(head, fh):
        position += 1
        if take is not None and not take(position):
            continue
        if framing_error:
            yield MarcEntry(position, offset, None, framing_error, raw)
            continue
        try:
            record, used = decode_iso2709(raw, encoding=encoding)
        except MarcDecodeError as exc:
            yield MarcEntry(position, offset, None, str(exc), raw)
        else:
            yield MarcEntry(position, offset, record, None, raw, used)


def _frames(head: bytes, fh: BinaryIO) -> Iterator[tuple[int, bytes, str | None]]:
    """Cut the byte stream into records: (offset, bytes, framing error or None)."""
    buf = head
    base = 0  # file offset of buf[0]
    pos = 0
    eof = not head

    def fill(need: int) -> bool:
        """Make buf hold at least `need` bytes from pos on; False when the file ends first."""
        nonlocal buf, base, pos, eof
        while len(buf) - pos < need and not eof:
            block = fh.read(max(_BLOCK, need))
            if not block:
                eof = True
                break
            buf = buf[pos:] + block
            base += pos
            pos = 0
        return len(buf) - pos >= need

    while True:
        if pos >= len(buf) and not fill(1):
            return
        if buf[pos] in _FILLER:
            pos += 1
            continue
        fill(LEADER_LENGTH)
        start = base + pos
        length_text = buf[pos : pos + 5]
        length = int(length_text) if length_text.isdigit() else 0
        if length > LEADER_LENGTH and fill(length) and buf[pos + length - 1] == RECORD_TERMINATOR:
            yield start, buf[pos : pos + length], None
            pos += length
            continue
        # The leader's length is wrong: resynchronise on the next record terminator.
        end = buf.find(bytes([RECORD_TERMINATOR]), pos)
        while end < 0 and not eof and len(buf) - pos <= 2 * MAX_RECORD_LENGTH:
            searched = len(buf) - pos
            fill(searched + _BLOCK)
            end = buf.find(bytes([RECORD_TERMINATOR]), pos)
        stop = end + 1 if end >= 0 else min(len(buf), pos + 2 * MAX_RECORD_LENGTH)
        raw = buf[pos:stop]
        if not length_text.isdigit():
            reason = f"leader: record length {length_text.decode('latin-1')!r} is not a number"
        elif length <= LEADER_LENGTH:
            reason = f"leader: record length {length} is shorter than a leader"
        elif end < 0:
            reason = f"record is truncated: the leader gives {length} bytes, only {len(raw)} are there"
        else:
            reason = (
                f"leader: record length {length} does not end at a record terminator (found one after {len(raw)} bytes)"
            )
        yield start, raw, reason
        pos = stop


def decode_iso2709(raw: bytes, *, encoding: str = "auto") -> tuple[pymarc.Record, str]:
    """Parse one ISO 2709 record into a Unicode pymarc record; return it with the encoding used."""
    if len(raw) < LEADER_LENGTH + 2:
        raise MarcDecodeError(f"record is only {len(raw)} bytes long")
    try:
        leader = raw[:LEADER_LENGTH].decode("ascii")
    except UnicodeDecodeError:
        raise MarcDecodeError("leader holds non-ASCII bytes") from None
    base_text = leader[12:17]
    if not base_text.isdigit():
        raise MarcDecodeError(f"leader: base address of data {base_text!r} is not a number")
    base_address = int(base_text)
    if base_address <= LEADER_LENGTH:
        raise MarcDecodeError(f"leader: base address of data {base_address} points inside the leader")
    if base_address >= len(raw):
        raise MarcDecodeError(f"leader: base address of data {base_address} lies beyond the record ({len(raw)} bytes)")
    if raw[base_address - 1] != FIELD_TERMINATOR:
        raise MarcDecodeError(f"directory does not end with a field terminator at base address {base_address}")
    try:
        directory = raw[LEADER_LENGTH : base_address - 1].decode("ascii")
    except UnicodeDecodeError:
        raise MarcDecodeError("directory holds non-ASCII bytes") from None
    if not directory:
        raise MarcDecodeError("record has no fields: its directory is empty")
    if len(directory) % DIRECTORY_ENTRY_LENGTH:
        raise MarcDecodeError(f"directory length {len(directory)} is not a multiple of {DIRECTORY_ENTRY_LENGTH}")
    data = raw[base_address:]
    chosen = _choose_encoding(leader, data, encoding)
    fields: list[pymarc.Field] = []
    for index in range(0, len(directory), DIRECTORY_ENTRY_LENGTH):
        entry = directory[index : index + DIRECTORY_ENTRY_LENGTH]
        tag, length_text, start_text = entry[:3], entry[3:7], entry[7:]
        if not (_TAG.match(tag) and length_text.isdigit() and start_text.isdigit()):
            raise MarcDecodeError(f"directory entry {index // DIRECTORY_ENTRY_LENGTH + 1} {entry!r} is not valid")
        start, length = int(start_text), int(length_text)
        if length < 1 or start + length > len(data):
            raise MarcDecodeError(f"field {tag}: directory points outside the record")
        body = data[start : start + length - 1]  # drop the field terminator
        fields.append(_field(tag, body, chosen))
    record = pymarc.Record(leader=leader[:9] + "a" + leader[10:])
    record.fields = list(fields)
    return record, chosen


def _choose_encoding(leader: str, data: bytes, encoding: str) -> str:
    if encoding != "auto":
        return encoding
    if leader[9] == "a":
        return "utf-8"
    if b"\x1b" in data:  # MARC-8 escape sequences (e.g. to EACC Chinese)
        return "marc-8"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030" if looks_like_gb18030(data) else "marc-8"
    return "utf-8"


def _decode(body: bytes, encoding: str, tag: str, code: str) -> str:
    """Decode one subfield to NFC text (MARC-8 and UTF-8 sources then compare equal); NULs are dropped."""
    if body.isascii():
        text = body.decode("ascii")
        return text.replace("\x00", "") if "\x00" in text else text
    try:
        if encoding == "marc-8":
            text = MARC8ToUnicode(quiet=True).translate(body)
        else:
            text = unicodedata.normalize("NFC", body.decode(encoding))
    except (UnicodeDecodeError, IndexError, TypeError) as exc:
        where = f"field {tag} ${code}" if code else f"field {tag}"
        detail = f" (byte 0x{body[exc.start]:02x} at {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
        raise MarcDecodeError(f"{where} is not valid {encoding}{detail}") from None
    return text.replace("\x00", "") if "\x00" in text else text


_new_field = pymarc.Field.__new__
_new_tuple = tuple.__new__
_Subfield = pymarc.Subfield
_Indicators = pymarc.Indicators


def _field(tag: str, body: bytes, encoding: str) -> pymarc.Field:
    """Build a pymarc field without its constructor's checks (the directory already vouched for the tag)."""
    made = _new_field(pymarc.Field)
    made.tag = tag
    if tag < "010" and tag.isdigit():
        made.control_field = True
        made.data = _decode(body, encoding, tag, "")
        made._indicators = None
        made.subfields = []
        return made
    parts = body.split(SUBFIELD_DELIMITER)
    indicators = parts[0].decode("ascii", "replace").ljust(2)
    made.control_field = False
    made.data = None
    made._indicators = _new_tuple(_Indicators, (indicators[0], indicators[1]))
    fast = _whole_subfields(body[len(parts[0]) :], encoding) if encoding != "marc-8" else None
    made.subfields = (
        fast
        if fast is not None
        else [
            _new_tuple(
                _Subfield, (chr(part[0]) if part[0] < 0x80 else "?", _decode(part[1:], encoding, tag, chr(part[0])))
            )
            for part in parts[1:]
            if part
        ]
    )
    return made


def _whole_subfields(rest: bytes, encoding: str) -> list[pymarc.Subfield] | None:
    """Decode a field's subfields in one go (UTF-8, GB18030: no character holds a 0x1F byte).

    Gives what decoding each subfield does (NFC does not reach across the delimiter); returns None for
    the rare field it cannot vouch for (bad bytes, NULs, a non-ASCII code), which is decoded one
    subfield at a time and so reported as before.
    """
    try:
        text = rest.decode(encoding)
    except UnicodeDecodeError:
        return None
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\x00" in text:
        return None
    out = []
    for part in text.split("\x1f"):
        if part:
            if part[0] >= "\x80":
                return None
            out.append(_new_tuple(_Subfield, (part[0], part[1:])))
    return out


def _iter_xml(fh: _Prepended, take: Callable[[int], bool] | None) -> Iterator[MarcEntry]:
    position = 0
    events = etree.iterparse(fh, events=("end",), tag=(f"{{{_MARCXML_NS}}}record", "record"), huge_tree=True)
    try:
        for _event, element in events:
            position += 1
            if take is None or take(position):
                raw = etree.tostring(element)
                try:
                    yield MarcEntry(position, -1, _xml_record(element), None, raw, "utf-8")
                except MarcDecodeError as exc:
                    yield MarcEntry(position, -1, None, str(exc), raw)
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        if take is None or take(position + 1):
            yield MarcEntry(position + 1, -1, None, f"MARCXML is not well-formed: {exc}", b"")


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _nfc(text: str | None) -> str:
    if not text:
        return ""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _xml_record(element: etree._Element) -> pymarc.Record:
    leader = " " * LEADER_LENGTH
    fields: list[pymarc.Field] = []
    for child in element:
        name = _local(child.tag)
        if name == "leader":
            leader = (child.text or "").ljust(LEADER_LENGTH)[:LEADER_LENGTH]
        elif name == "controlfield":
            tag = child.get("tag") or ""
            if not _TAG.match(tag):
                raise MarcDecodeError(f"controlfield tag {tag!r} is not valid")
            fields.append(pymarc.Field(tag=tag, data=_nfc(child.text)))
        elif name == "datafield":
            tag = child.get("tag") or ""
            if not _TAG.match(tag):
                raise MarcDecodeError(f"datafield tag {tag!r} is not valid")
            subfields = [
                pymarc.Subfield(sub.get("code") or "?", _nfc(sub.text))
                for sub in child
                if _local(sub.tag) == "subfield"
            ]
            ind1 = (child.get("ind1") or " ")[:1]
            ind2 = (child.get("ind2") or " ")[:1]
            fields.append(pymarc.Field(tag=tag, indicators=pymarc.Indicators(ind1, ind2), subfields=subfields))
    if not fields:
        raise MarcDecodeError("record has no fields")
    record = pymarc.Record(leader=leader[:9] + "a" + leader[10:])
    record.fields = fields
    return record
