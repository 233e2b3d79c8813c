"""A SIP2 client we did not write (PyPI `sip2`, Tobias Zeumer's SIP2 client) drives our server like a kiosk would.

It has its own ideas: sequence numbers from 0, checksums without zero padding, an empty AC in every message,
a date stamp in the machine's local time, and one recv() per answer. Everything below goes through it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from Sip2.sip2 import Sip2  # PyPI "sip2", a dev dependency: the test must run, never skip

from shelfmark.circulation.models import Hold, Loan
from shelfmark.fines import services as fine_services
from shelfmark.fines.models import Payment
from shelfmark.protocols.sip2.server import ServerConfig
from shelfmark.protocols.sip2.tests.conftest import PASSWORD, PIN, Kiosk
from shelfmark.protocols.sip2.tests.live import running_server

pytestmark = pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()])


@pytest.fixture
def client(kiosk: Kiosk, tmp_path: Path) -> Iterator[object]:
    """The third-party client connected to a live server, logging to tmp_path and never trying TLS."""
    with running_server(ServerConfig(port=0, log_dir=tmp_path / "server")) as server:
        sip = Sip2()
        sip.hostName, sip.hostPort = "127.0.0.1", server.port
        sip.tlsEnable = False
        sip.logfile_path, sip.loglevel = str(tmp_path), "WARNING"
        sip.institutionId, sip.scLocation, sip.language = "LN-SY-KP", "KP-KIOSK", "019"
        sip.patron, sip.patronpwd = "R0001", PIN
        assert sip.connect()
        try:
            yield sip
        finally:
            sip.disconnect()
            for handler in logging.getLogger("Sip2").handlers[:]:
                handler.close()
                logging.getLogger("Sip2").removeHandler(handler)


def test_the_independent_client_logs_in_lends_renews_returns_books_and_pays(client, kiosk: Kiosk):
    # login and status
    login = client.sip_login_response(client.get_response(client.sip_login_request("kp-kiosk-1", PASSWORD)))
    assert login["fixed"]["Ok"] == "1"
    status = client.sip_sc_status_response(client.get_response(client.sip_sc_status_request()))
    assert (status["fixed"]["OnlineStatus"], status["fixed"]["CheckoutOk"]) == ("Y", "Y")
    assert status["variable"]["BX"] == ["YYYYYYYYYYYYNYYY"]

    # patron information with the PIN
    info = client.sip_patron_information_response(client.get_response(client.sip_patron_information_request("none")))
    assert info["variable"]["AE"] == ["张三丰"]
    assert (info["variable"]["BL"], info["variable"]["CQ"]) == (["Y"], ["Y"])
    assert info["fixed"]["ChargedItemsCount"] == "0000"

    # check out
    out = client.sip_checkout_response(client.get_response(client.sip_checkout_request("30000")))
    assert out["fixed"]["Ok"] == "1"
    assert out["variable"]["AB"] == ["30000"]
    loan = Loan.objects.get(status=Loan.Status.ACTIVE)
    assert out["variable"]["AH"] == [loan.due_on.strftime("%Y%m%d") + "    235959"]
    charged = client.sip_patron_information_response(
        client.get_response(client.sip_patron_information_request("charged"))
    )
    assert charged["variable"]["AU"] == ["30000"]

    # renew
    renewed = client.sip_renew_response(client.get_response(client.sip_renew_request(itemIdentifier="30000")))
    assert renewed["fixed"]["Ok"] == "1"
    assert Loan.objects.get(pk=loan.pk).renewals == 1

    # check in
    back = client.sip_checkin_response(client.get_response(client.sip_checkin_request("30000")))
    assert (back["fixed"]["Ok"], back["fixed"]["Alert"]) == ("1", "N")
    assert back["variable"]["CL"] == ["1"]
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.RETURNED

    # hold on the title, for pickup at the city library
    client.get_response(client.sip_hold_request("+", holdType=2, itemIdentifier="30001", pickupLocation="LN-SY"))
    assert client.last_response.startswith("161N")
    assert "BSLN-SY|" in client.last_response
    hold = Hold.objects.get()
    assert (hold.patron, hold.pickup_library, hold.status) == (kiosk.reader, kiosk.net.city, Hold.Status.WAITING)

    # fee paid
    fine_services.add_charge(patron=kiosk.reader, kind="manual", amount="5.00", source="test:fee", actor=None)
    paid = client.sip_fee_paid_response(
        client.get_response(client.sip_fee_paid_request(1, 0, "5.00", transactionId="KIOSK-1", currencyType="CNY"))
    )
    assert paid["fixed"]["PaymentAccepted"] == "Y"
    assert paid["variable"]["BK"] == ["KIOSK-1"]
    assert Payment.objects.get().amount == Decimal("5.00")
    kiosk.reader.refresh_from_db()
    assert kiosk.reader.fines_owed == Decimal("0.00")
