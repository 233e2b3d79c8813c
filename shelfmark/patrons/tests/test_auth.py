"""Reader login: card + PIN into its own session key, the lockout, and separation from staff logins."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY as STAFF_SESSION_KEY
from django.http import HttpRequest
from django.test import Client

from shelfmark.core.models import AuditEvent
from shelfmark.patrons import auth, services
from shelfmark.patrons.errors import CardReportedLost, CardRetired, PatronNotFound, PinIncorrect, PinLocked
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db


def _request(client: Client) -> HttpRequest:
    """A request carrying the test client's session, as a view would see it."""
    request = HttpRequest()
    request.session = client.session
    return request


def _save(request: HttpRequest, client: Client) -> None:
    request.session.save()
    client.cookies["sessionid"] = request.session.session_key or ""


def test_login_current_and_logout_keep_a_staff_login_in_the_same_browser(net, staff):
    # given a browser where a staff member is logged in, and a reader with PIN 1234
    patron = make_patron(library=net.county, card_number="R-1", pin="1234")
    client = Client()
    client.force_login(staff.county_desk)
    request = _request(client)
    old_key = request.session.session_key

    # when the reader logs in with card and PIN
    logged_in = auth.login_reader(request, " R-1 ", "1234")
    _save(request, client)

    # then the reader is current in a new session key, and the staff login is still there
    assert logged_in.pk == patron.pk
    assert request.session.session_key != old_key
    again = _request(client)
    current = auth.current_patron(again)
    assert current is not None and current.pk == patron.pk
    assert again.session[STAFF_SESSION_KEY] == str(staff.county_desk.pk)
    assert AuditEvent.objects.filter(kind="patron.logged_in", object_id=str(patron.pk)).count() == 1

    # when the reader logs out, the staff login stays
    auth.logout_reader(again)
    _save(again, client)
    after = _request(client)
    assert auth.current_patron(after) is None
    assert after.session[STAFF_SESSION_KEY] == str(staff.county_desk.pk)


def test_wrong_pins_lock_reader_login_and_leave_no_session(net):
    make_patron(library=net.county, card_number="R-2", pin="1234")
    request = _request(Client())

    for tries_left in (4, 3, 2, 1):
        with pytest.raises(PinIncorrect) as caught:
            auth.login_reader(request, "R-2", "1111")
        assert caught.value.tries_left == tries_left
    with pytest.raises(PinLocked):
        auth.login_reader(request, "R-2", "1111")
    with pytest.raises(PinLocked):
        auth.login_reader(request, "R-2", "1234")

    assert auth.current_patron(request) is None
    assert auth.SESSION_KEY not in request.session


def test_a_pin_change_ends_the_readers_sessions(net):
    patron = make_patron(library=net.county, card_number="R-3", pin="1234")
    request = _request(Client())
    auth.login_reader(request, "R-3", "1234")

    services.set_pin(patron=patron, pin="5678", actor=None)

    assert auth.current_patron(request) is None


def test_unknown_retired_and_lost_cards_cannot_log_in(net):
    patron = make_patron(library=net.county, card_number="R-4", pin="1234")
    other = make_patron(library=net.county, card_number="R-5", pin="1234")
    services.replace_card(patron=patron, new_card_number="R-4B", actor=None)
    services.report_lost_card(patron=other, actor=None)
    request = _request(Client())

    with pytest.raises(PatronNotFound):
        auth.login_reader(request, "R-404", "1234")
    with pytest.raises(CardRetired):
        auth.login_reader(request, "R-4", "1234")
    with pytest.raises(CardReportedLost):
        auth.login_reader(request, "R-5", "1234")

    assert auth.current_patron(request) is None
