"""The staff backend signs in as Django's model backend does and reads the session's user by hand."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from shelfmark.accounts.backends import StaffBackend

pytestmark = pytest.mark.django_db


def test_the_sessions_user_is_read_with_every_field_the_orm_gives():
    user = get_user_model().objects.create_user("desk-a", password="x-long-enough-1", first_name="王")

    found = StaffBackend().get_user(user.pk)

    assert found is not None
    assert (found.pk, found.username, found.first_name, found.is_active, found.password) == (
        user.pk,
        "desk-a",
        "王",
        True,
        user.password,
    )


@pytest.mark.parametrize("value", ["not-a-number", "", None, 10**12])
def test_a_forged_or_stale_session_value_is_nobody(value):
    assert StaffBackend().get_user(value) is None


def test_a_deactivated_user_is_signed_out_on_the_next_request():
    # given a staff member signed in
    user = get_user_model().objects.create_user("desk-b", password="x-long-enough-1", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/staff/").status_code == 200

    # when an administrator deactivates the account, the session no longer names a user
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    assert StaffBackend().get_user(user.pk) is None
    assert client.get("/staff/").status_code == 302
