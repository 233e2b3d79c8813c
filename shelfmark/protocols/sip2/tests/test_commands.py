"""`shelfmark sip2-terminal add|list|disable|enable`: the accounts a library gives its machines."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shelfmark.accounts import permissions
from shelfmark.core.models import AuditEvent
from shelfmark.libraries import services as libraries
from shelfmark.libraries.models import ServicePoint
from shelfmark.libraries.tests.factories import make_network
from shelfmark.protocols.sip2 import selectors
from shelfmark.protocols.sip2.models import Terminal

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("sip2_terminal", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def net():
    net = make_network()
    libraries.create_service_point(
        library=net.study_room, code="SR1-KIOSK", name="自助机", kind=ServicePoint.Kind.KIOSK
    )
    return net


def test_add_prints_a_password_that_logs_in_and_list_shows_the_terminal(net):
    added = json.loads(
        run(
            "add",
            "sr1-k1",
            "--library",
            "LN-SY-SR1",
            "--service-point",
            "SR1-KIOSK",
            "--encoding",
            "gb18030",
            "--sort-bin",
            "hold=5",
            "--json",
        )
    )
    assert added["login"] == "sr1-k1" and added["institution_id"] == "LN-SY-SR1"
    terminal = selectors.authenticate("sr1-k1", added["password"])
    assert terminal is not None
    assert (terminal.encoding, terminal.sort_bins, terminal.user.is_staff) == ("gb18030", {"hold": "5"}, False)
    assert not terminal.user.has_usable_password()
    assert permissions.has_perm(terminal.user, "circulation.override", net.study_room)
    assert AuditEvent.objects.filter(kind="sip2.terminal_added").count() == 1
    listed = json.loads(run("list", "--json"))
    assert [row["login"] for row in listed] == ["sr1-k1"]


def test_disable_stops_logins_and_the_machine_users_powers_and_enable_restores_them(net):
    password = json.loads(run("add", "sr1-k1", "--library", "LN-SY-SR1", "--service-point", "SR1-KIOSK", "--json"))[
        "password"
    ]
    run("disable", "sr1-k1")
    terminal = Terminal.objects.get()
    assert selectors.authenticate("sr1-k1", password) is None
    assert not permissions.has_perm(
        terminal.user.__class__.objects.get(pk=terminal.user_id), "circulation.override", net.study_room
    )
    run("enable", "sr1-k1")
    assert selectors.authenticate("sr1-k1", password) is not None


def test_add_refuses_a_service_point_of_another_library_and_a_taken_login(net):
    with pytest.raises(CommandError, match="SR1-KIOSK"):
        run("add", "k1", "--library", "LN-SY-KP", "--service-point", "SR1-KIOSK")
    run("add", "k1", "--library", "LN-SY-SR1", "--service-point", "SR1-KIOSK")
    with pytest.raises(CommandError, match="k1"):
        run("add", "k1", "--library", "LN-SY-SR1", "--service-point", "SR1-KIOSK")
    with pytest.raises(CommandError):
        run("add", "bad/login", "--library", "LN-SY-SR1", "--service-point", "SR1-KIOSK")
    assert Terminal.objects.count() == 1
