"""Reader PINs: format, hashing, and the lockout sequence (five wrong tries lock the card for 15 minutes)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shelfmark.core.models import AuditEvent
from shelfmark.patrons import pin, services
from shelfmark.patrons.errors import InvalidPin, PinIncorrect, PinLocked, PinNotSet
from shelfmark.patrons.models import Patron
from shelfmark.patrons.tests.factories import make_patron

pytestmark = pytest.mark.django_db
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", "", " 1234", "١٢٣٤"])
def test_set_pin_refuses_anything_but_4_to_8_digits_and_keeps_the_old_pin(bad):
    patron = make_patron(pin="1234")
    before = Patron.objects.get(pk=patron.pk).pin_hash

    with pytest.raises(InvalidPin) as caught:
        services.set_pin(patron=patron, pin=bad, actor=None)

    assert caught.value.field == "pin"
    assert Patron.objects.get(pk=patron.pk).pin_hash == before


def test_set_pin_stores_a_hash_not_the_pin_and_audits_without_it():
    patron = make_patron(pin=None)

    services.set_pin(patron=patron, pin="87654321", actor=None, now=T0)

    stored = Patron.objects.get(pk=patron.pk).pin_hash
    assert stored.startswith("pin_pbkdf2_keyed$3000$") and "87654321" not in stored
    event = AuditEvent.objects.get(kind="patron.pin_set")
    assert (event.object_id, event.data) == (str(patron.pk), {})
    services.verify_pin(patron=patron, pin="87654321", now=T0)


def test_lockout_sequence():
    # given a reader with PIN 1234
    patron = make_patron(pin="1234")

    # when four wrong PINs are tried, each says how many tries are left
    left = []
    for minute in range(4):
        with pytest.raises(PinIncorrect) as caught:
            services.verify_pin(patron=patron, pin="0000", now=T0 + timedelta(minutes=minute))
        left.append(caught.value.tries_left)
    assert left == [4, 3, 2, 1]
    assert "再错 1 次" in caught.value.message

    # when the fifth is wrong, the card locks for 15 minutes from then
    with pytest.raises(PinLocked) as locked:
        services.verify_pin(patron=patron, pin="0000", now=T0 + timedelta(minutes=4))
    until = T0 + timedelta(minutes=19)
    assert locked.value.until == until
    assert "2025-03-10 09:19" in locked.value.message

    # then even the right PIN is refused until the lock runs out, without extending it
    with pytest.raises(PinLocked):
        services.verify_pin(patron=patron, pin="1234", now=until - timedelta(seconds=1))
    row = Patron.objects.get(pk=patron.pk)
    assert (row.failed_pin_attempts, row.pin_locked_until) == (0, until)

    # then after the lock the right PIN is accepted and clears the lock
    services.verify_pin(patron=patron, pin="1234", now=until)
    row = Patron.objects.get(pk=patron.pk)
    assert (row.failed_pin_attempts, row.pin_locked_until) == (0, None)
    events = AuditEvent.objects.filter(object_type="patrons.patron", object_id=str(patron.pk)).order_by("id")
    kinds = list(events.values_list("kind", flat=True))
    assert kinds == ["patron.created"] + ["patron.pin_failed"] * 4 + ["patron.pin_locked"]


def test_a_right_pin_resets_the_count_of_wrong_ones():
    patron = make_patron(pin="1234")
    for _ in range(3):
        with pytest.raises(PinIncorrect):
            services.verify_pin(patron=patron, pin="9999", now=T0)

    services.verify_pin(patron=patron, pin="1234", now=T0)

    with pytest.raises(PinIncorrect) as caught:
        services.verify_pin(patron=patron, pin="9999", now=T0)
    assert caught.value.tries_left == 4


def test_malformed_pins_count_as_wrong_tries():
    patron = make_patron(pin="1234")

    with pytest.raises(PinIncorrect) as caught:
        services.verify_pin(patron=patron, pin="abc", now=T0)

    assert caught.value.tries_left == 4


def test_setting_a_new_pin_lifts_the_lock():
    patron = make_patron(pin="1234")
    Patron.objects.filter(pk=patron.pk).update(pin_locked_until=T0 + timedelta(minutes=10), failed_pin_attempts=0)

    services.set_pin(patron=patron, pin="4321", actor=None, now=T0)

    services.verify_pin(patron=patron, pin="4321", now=T0)
    assert Patron.objects.get(pk=patron.pk).pin_locked_until is None


def test_a_reader_without_a_pin_is_told_so():
    patron = make_patron(pin=None)

    with pytest.raises(PinNotSet):
        services.verify_pin(patron=patron, pin="1234", now=T0)

    assert Patron.objects.get(pk=patron.pk).failed_pin_attempts == 0


def test_a_pin_hash_depends_on_the_secret_key_so_a_copied_table_alone_cannot_be_searched(settings):
    encoded = pin.hash_pin("2468")
    assert pin.pin_matches("2468", encoded) and not pin.pin_matches("2469", encoded)

    settings.SECRET_KEY = "another-installation"

    assert not pin.pin_matches("2468", encoded)


def test_pins_hashed_by_the_django_password_hasher_still_verify():
    from django.contrib.auth.hashers import make_password

    assert pin.pin_matches("1357", make_password("1357"))
    assert not pin.pin_matches("1358", make_password("1357"))
