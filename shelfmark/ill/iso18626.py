"""ISO 18626 messages as XML: build what we send, read what we receive, answer with the standard confirmation.

Version 1.2 of the schema (namespace http://illtransactions.org/2013/iso18626). The official XSD is not shipped
(it was not available offline when this was written), so `read` checks by hand the elements each message type
requires and that this installation reads; anything missing or malformed is a `MessageError` carrying the
standard's errorType, which the endpoint turns into a confirmation with messageStatus ERROR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from lxml import etree

NS = "http://illtransactions.org/2013/iso18626"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VERSION = "1.2"
SCHEMA_LOCATION = f"{NS} http://illtransactions.org/schemas/ISO-18626-v1_2.xsd"
MESSAGE_TYPES = ("request", "supplyingAgencyMessage", "requestingAgencyMessage")
CONFIRMATIONS = {
    "request": "requestConfirmation",
    "supplyingAgencyMessage": "supplyingAgencyMessageConfirmation",
    "requestingAgencyMessage": "requestingAgencyMessageConfirmation",
}

# The closed list of errorType values.
BADLY_FORMED = "BadlyFormedMessage"
UNRECOGNISED_ELEMENT = "UnrecognisedDataElement"
UNRECOGNISED_VALUE = "UnrecognisedDataValue"
UNSUPPORTED_ACTION = "UnsupportedActionType"
UNSUPPORTED_REASON = "UnsupportedReasonForMessageType"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class MessageError(Exception):
    """A message we cannot act on: `error_type` is the standard's errorType, `value` says what and where."""

    def __init__(self, error_type: str, value: str, *, message: Message | None = None) -> None:
        super().__init__(f"{error_type}: {value}")
        self.error_type = error_type
        self.value = value
        self.message = message


@dataclass(frozen=True)
class Agency:
    id_type: str
    id_value: str


@dataclass
class Message:
    """What this installation reads of any ISO 18626 message."""

    kind: str  # request, supplyingAgencyMessage, requestingAgencyMessage
    supplying: Agency
    requesting: Agency
    timestamp: datetime
    requesting_request_id: str
    supplying_request_id: str = ""
    security_code: str = ""
    # request
    title: str = ""
    author: str = ""
    isbn: str = ""
    publisher: str = ""
    year: int | None = None
    supplier_record_id: str = ""
    needed_by: date | None = None
    pickup_name: str = ""
    # supplyingAgencyMessage
    reason: str = ""
    status: str = ""
    due_on: date | None = None
    item_id: str = ""
    # requestingAgencyMessage
    action: str = ""
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _text(parent: etree._Element | None, *path: str) -> str:
    node = parent
    for name in path:
        if node is None:
            return ""
        node = node.find(_q(name))
    return (node.text or "").strip() if node is not None else ""


def _required(parent: etree._Element, where: str, *path: str) -> str:
    value = _text(parent, *path)
    if not value:
        raise MessageError(BADLY_FORMED, f"{where}/{'/'.join(path)} is missing")
    return value


def _agency(header: etree._Element, name: str, where: str) -> Agency:
    return Agency(
        _required(header, where, name, "agencyIdType"),
        _required(header, where, name, "agencyIdValue"),
    )


def _datetime(text: str, where: str, *, message: Message | None = None) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MessageError(UNRECOGNISED_VALUE, f"{where}: {text!r} is not an xs:dateTime", message=message) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _date(text: str, where: str, *, message: Message) -> date | None:
    if not text:
        return None
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    return _datetime(text, where, message=message).date()


def read(body: bytes) -> Message:
    """Parse and check an incoming message; raise MessageError (with what could be read) when it will not do."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MessageError(BADLY_FORMED, f"not well-formed XML: {exc}") from None
    if root.tag != _q("ISO18626Message"):
        raise MessageError(
            UNRECOGNISED_ELEMENT, f"root element {etree.QName(root).localname} (expected ISO18626Message in {NS})"
        )
    children = [child for child in root if isinstance(child.tag, str)]
    if len(children) != 1:
        raise MessageError(BADLY_FORMED, "ISO18626Message must hold exactly one message")
    body_element = children[0]
    kind = etree.QName(body_element).localname
    if body_element.tag not in {_q(k) for k in MESSAGE_TYPES}:
        raise MessageError(UNRECOGNISED_ELEMENT, f"message type {kind}")
    header = body_element.find(_q("header"))
    if header is None:
        raise MessageError(BADLY_FORMED, f"{kind}/header is missing")
    # The agencies and ids first, so that an error answer can echo them.
    partial = Message(
        kind=kind,
        supplying=Agency(
            _text(header, "supplyingAgencyId", "agencyIdType"), _text(header, "supplyingAgencyId", "agencyIdValue")
        ),
        requesting=Agency(
            _text(header, "requestingAgencyId", "agencyIdType"), _text(header, "requestingAgencyId", "agencyIdValue")
        ),
        timestamp=datetime.now(UTC),
        requesting_request_id=_text(header, "requestingAgencyRequestId"),
        supplying_request_id=_text(header, "supplyingAgencyRequestId"),
    )
    try:
        message = _read(kind, body_element, header, partial)
    except MessageError as exc:
        exc.message = exc.message or partial
        raise
    return message


def _read(kind: str, element: etree._Element, header: etree._Element, message: Message) -> Message:
    where = f"{kind}/header"
    message.supplying = _agency(header, "supplyingAgencyId", where)
    message.requesting = _agency(header, "requestingAgencyId", where)
    message.timestamp = _datetime(_required(header, where, "timestamp"), f"{where}/timestamp", message=message)
    message.requesting_request_id = _required(header, where, "requestingAgencyRequestId")
    message.security_code = _text(header, "requestingAgencyAuthentication", "securityCode")
    if kind == "request":
        biblio = element.find(_q("bibliographicInfo"))
        if biblio is None:
            raise MessageError(BADLY_FORMED, "request/bibliographicInfo is missing", message=message)
        message.title = _text(biblio, "title")
        message.author = _text(biblio, "author")
        message.supplier_record_id = _text(biblio, "supplierUniqueRecordId")
        for identifier in biblio.findall(_q("bibliographicItemId")):
            if _text(identifier, "bibliographicItemIdentifierCode").upper() == "ISBN":
                message.isbn = _text(identifier, "bibliographicItemIdentifier")
        if not (message.title or message.isbn or message.supplier_record_id):
            raise MessageError(
                BADLY_FORMED,
                "request/bibliographicInfo needs a title, an ISBN or a supplierUniqueRecordId",
                message=message,
            )
        publication = element.find(_q("publicationInfo"))
        message.publisher = _text(publication, "publisher")
        year = _text(publication, "publicationDate")[:4]
        message.year = int(year) if year.isdigit() else None
        service = element.find(_q("serviceInfo"))
        message.needed_by = _date(
            _text(service, "needBeforeDate"), "request/serviceInfo/needBeforeDate", message=message
        )
        message.note = _text(service, "note")
        message.pickup_name = _text(element.find(_q("requestedDeliveryInfo")), "address", "physicalAddress", "line1")
    elif kind == "supplyingAgencyMessage":
        message.reason = _required(element, kind, "messageInfo", "reasonForMessage")
        message.note = _text(element, "messageInfo", "note")
        message.status = _required(element, kind, "statusInfo", "status")
        _required(element, kind, "statusInfo", "lastChange")
        message.due_on = _date(_text(element, "statusInfo", "dueDate"), f"{kind}/statusInfo/dueDate", message=message)
        message.item_id = _text(element, "deliveryInfo", "itemId")
    else:
        message.action = _required(element, kind, "action")
        message.note = _text(element, "note")
    return message


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    node = etree.SubElement(parent, _q(name))
    if text is not None:
        node.text = text
    return node


def _envelope() -> etree._Element:
    root = etree.Element(_q("ISO18626Message"), nsmap={None: NS, "ill": NS, "xsi": XSI})
    root.set(_q("version"), VERSION)
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    return root


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(
    parent: etree._Element,
    *,
    supplying: Agency,
    requesting: Agency,
    timestamp: datetime,
    requesting_request_id: str,
    supplying_request_id: str = "",
    security_code: str = "",
    name: str = "header",
) -> etree._Element:
    header = _sub(parent, name)
    for tag, agency in (("supplyingAgencyId", supplying), ("requestingAgencyId", requesting)):
        node = _sub(header, tag)
        _sub(node, "agencyIdType", agency.id_type)
        _sub(node, "agencyIdValue", agency.id_value)
    _sub(header, "timestamp", _stamp(timestamp))
    _sub(header, "requestingAgencyRequestId", requesting_request_id)
    if supplying_request_id:
        _sub(header, "supplyingAgencyRequestId", supplying_request_id)
    if security_code:
        auth = _sub(header, "requestingAgencyAuthentication")
        _sub(auth, "securityCode", security_code)
    return header


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_request(
    *,
    supplying: Agency,
    requesting: Agency,
    request_id: str,
    timestamp: datetime,
    title: str,
    author: str = "",
    isbn: str = "",
    publisher: str = "",
    year: int | None = None,
    supplier_record_id: str = "",
    needed_by: date | None = None,
    note: str = "",
    pickup_name: str = "",
    security_code: str = "",
) -> bytes:
    """Build a `request` message asking `supplying` to lend a copy of a title."""
    root = _envelope()
    body = _sub(root, "request")
    _header(
        body,
        supplying=supplying,
        requesting=requesting,
        timestamp=timestamp,
        requesting_request_id=request_id,
        security_code=security_code,
    )
    biblio = _sub(body, "bibliographicInfo")
    if supplier_record_id:
        _sub(biblio, "supplierUniqueRecordId", supplier_record_id)
    if title:
        _sub(biblio, "title", title)
    if author:
        _sub(biblio, "author", author)
    if isbn:
        identifier = _sub(biblio, "bibliographicItemId")
        _sub(identifier, "bibliographicItemIdentifier", isbn)
        _sub(identifier, "bibliographicItemIdentifierCode", "ISBN")
    if publisher or year:
        publication = _sub(body, "publicationInfo")
        if publisher:
            _sub(publication, "publisher", publisher)
        if year:
            _sub(publication, "publicationDate", str(year))
    service = _sub(body, "serviceInfo")
    _sub(service, "requestType", "New")
    _sub(service, "serviceType", "Loan")
    if needed_by:
        _sub(service, "needBeforeDate", f"{needed_by.isoformat()}T00:00:00Z")
    if note:
        _sub(service, "note", note)
    if pickup_name:
        delivery = _sub(body, "requestedDeliveryInfo")
        address = _sub(_sub(delivery, "address"), "physicalAddress")
        _sub(address, "line1", pickup_name)
    return _serialise(root)


def build_supplying_message(
    *,
    supplying: Agency,
    requesting: Agency,
    request_id: str,
    supplying_request_id: str,
    timestamp: datetime,
    reason: str,
    status: str,
    due_on: date | None = None,
    item_id: str = "",
    note: str = "",
    security_code: str = "",
) -> bytes:
    """Build a `supplyingAgencyMessage`: the lender tells the borrower what became of the request."""
    root = _envelope()
    body = _sub(root, "supplyingAgencyMessage")
    _header(
        body,
        supplying=supplying,
        requesting=requesting,
        timestamp=timestamp,
        requesting_request_id=request_id,
        supplying_request_id=supplying_request_id,
        security_code=security_code,
    )
    info = _sub(body, "messageInfo")
    _sub(info, "reasonForMessage", reason)
    if note:
        _sub(info, "note", note)
    status_info = _sub(body, "statusInfo")
    _sub(status_info, "status", status)
    if due_on:
        _sub(status_info, "dueDate", f"{due_on.isoformat()}T23:59:59Z")
    _sub(status_info, "lastChange", _stamp(timestamp))
    if item_id:
        delivery = _sub(body, "deliveryInfo")
        _sub(delivery, "dateSent", _stamp(timestamp))
        _sub(delivery, "itemId", item_id)
    return _serialise(root)


def build_requesting_message(
    *,
    supplying: Agency,
    requesting: Agency,
    request_id: str,
    supplying_request_id: str,
    timestamp: datetime,
    action: str,
    note: str = "",
    security_code: str = "",
) -> bytes:
    """Build a `requestingAgencyMessage`: the borrower tells the lender what it did (received, shipped back...)."""
    root = _envelope()
    body = _sub(root, "requestingAgencyMessage")
    _header(
        body,
        supplying=supplying,
        requesting=requesting,
        timestamp=timestamp,
        requesting_request_id=request_id,
        supplying_request_id=supplying_request_id,
        security_code=security_code,
    )
    _sub(body, "action", action)
    if note:
        _sub(body, "note", note)
    return _serialise(root)


def build_confirmation(
    *,
    kind: str,
    received: Message | None,
    timestamp: datetime,
    received_at: datetime,
    error: MessageError | None = None,
) -> bytes:
    """Build the confirmation of a received message: messageStatus OK, or ERROR with errorData.

    A message that could not be read as one of the three types is answered with a requestConfirmation.
    """
    root = _envelope()
    body = _sub(root, CONFIRMATIONS.get(kind, "requestConfirmation"))
    empty = Agency("", "")
    header = _sub(body, "confirmationHeader")
    for tag, agency in (
        ("supplyingAgencyId", received.supplying if received else empty),
        ("requestingAgencyId", received.requesting if received else empty),
    ):
        node = _sub(header, tag)
        _sub(node, "agencyIdType", agency.id_type)
        _sub(node, "agencyIdValue", agency.id_value)
    _sub(header, "timestamp", _stamp(timestamp))
    _sub(header, "requestingAgencyRequestId", received.requesting_request_id if received else "")
    _sub(header, "timestampReceived", _stamp(received_at))
    _sub(header, "messageStatus", "ERROR" if error else "OK")
    if kind == "supplyingAgencyMessage" and received is not None and received.reason:
        _sub(body, "reasonForMessage", received.reason)
    if kind == "requestingAgencyMessage" and received is not None and received.action:
        _sub(body, "action", received.action)
    if error is not None:
        data = _sub(body, "errorData")
        _sub(data, "errorType", error.error_type)
        _sub(data, "errorValue", error.value[:500])
    return _serialise(root)


@dataclass(frozen=True)
class Confirmation:
    status: str  # OK or ERROR
    error_type: str = ""
    error_value: str = ""


def read_confirmation(body: bytes) -> Confirmation:
    """Read a partner's confirmation; raise MessageError when it is not one."""
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise MessageError(BADLY_FORMED, f"confirmation is not well-formed XML: {exc}") from None
    children = [child for child in root if isinstance(child.tag, str)]
    if root.tag != _q("ISO18626Message") or len(children) != 1:
        raise MessageError(BADLY_FORMED, "not an ISO 18626 confirmation")
    confirmation = children[0]
    status = _text(confirmation, "confirmationHeader", "messageStatus")
    if status not in ("OK", "ERROR"):
        raise MessageError(BADLY_FORMED, f"confirmation messageStatus {status!r}")
    return Confirmation(
        status=status,
        error_type=_text(confirmation, "errorData", "errorType"),
        error_value=_text(confirmation, "errorData", "errorValue"),
    )
