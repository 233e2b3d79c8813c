"""SIP2 fixtures: a network with a 24-hour kiosk terminal, a reader with a PIN, copies, and a session to talk to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shelfmark.circulation.models import CirculationRule
from shelfmark.circulation.tests.conftest import at
from shelfmark.holdings.models import Item
from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import ServicePoint
from shelfmark.libraries.tests.factories import Network, make_network
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron
from shelfmark.protocols.sip2 import codec, services
from shelfmark.protocols.sip2.messagelog import MessageLog
from shelfmark.protocols.sip2.models import Terminal
from shelfmark.protocols.sip2.session import Session

PASSWORD = "kiosk-secret-1"
PIN = "1234"
NOW = at("2026-03-02", 10)
DATE = "20260302    100000"  # the kiosk's transaction date for NOW


@dataclass
class Kiosk:
    """A logged-in terminal at the county library, and what it works with."""

    net: Network
    terminal: Terminal
    reader: Patron
    other_reader: Patron
    items: list[Item]
    log_dir: Path
    clock: list[datetime]

    def session(self, *, login: bool = True) -> Session:
        """Open a new connection, logged in unless asked not to."""
        session = Session(peer="test", log=MessageLog(self.log_dir), clock=lambda: self.clock[0])
        if login:
            answer = session.respond(f"9300CN{self.terminal.login}|CO{PASSWORD}|CPKP-KIOSK|\r".encode())
            assert answer == b"941\r"
        return session

    def send(self, session: Session, frame: str) -> codec.Message:
        """Send one frame (no terminator needed) and decode the answer as a response."""
        answer = session.respond(frame.encode(session.encoding) + b"\r")
        assert answer is not None and answer.endswith(b"\r")
        return decode_response(answer, session.encoding)


def decode_response(data: bytes, encoding: str = "utf-8") -> codec.Message:
    """Decode a response frame with the codec (responses use the same wire format)."""
    return codec.decode(data, encoding=encoding)


@pytest.fixture
def kiosk(tmp_path: Path, settings: Any) -> Kiosk:
    settings.TIME_ZONE = "Asia/Shanghai"
    net = make_network()
    CirculationRule.objects.create(
        loan_days=30, max_loans=5, renewals=1, fine_per_day=Decimal("0.10"), fine_cap=Decimal("5.00"), hold_shelf_days=3
    )
    point = libraries.create_service_point(
        library=net.county, code="KP-KIOSK", name="自助借还机", kind=ServicePoint.Kind.KIOSK
    )
    terminal, _ = services.add_terminal(
        login="kp-kiosk-1", library=net.county, service_point=point, actor=None, password=PASSWORD, now=NOW
    )
    reader = make_patron(library=net.county, card_number="R0001", name="张三丰", pin=PIN)
    other = make_patron(library=net.county, card_number="R0002", name="李四", pin=PIN)
    record = make_record("辽宁地方志研究")
    items = [
        make_item(record, library=net.county, barcode=f"3000{n}", price=Decimal("40.00"), now=NOW) for n in range(3)
    ]
    return Kiosk(net, terminal, reader, other, items, tmp_path / "logs", [NOW])


Clock = Callable[[], datetime]
