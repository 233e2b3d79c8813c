"""Staff shell pages: login, home navigation, the zh-Hans / English switch."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from shelfmark.catalog.tests.web_fixtures import PASSWORD, make_staff
from shelfmark.libraries.tests.factories import make_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_staff(make_network())


def test_pages_speak_simplified_chinese_by_default(client):
    response = client.get("/staff/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "馆员登录" in html


def test_the_language_switch_turns_pages_into_english(client):
    # when the visitor picks English in the shell's switch
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/staff/login/"})

    # then they come back to the page, now in English
    assert (response.status_code, response["Location"]) == (302, "/staff/login/")
    html = client.get("/staff/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Staff login" in html
    assert "馆员登录" not in html


def test_staff_log_in_and_land_on_the_home_page(client, staff):
    # when the county cataloguer logs in
    response = client.post("/staff/login/", {"username": "kp", "password": PASSWORD})

    # then they land on the home page with the navigation and their grant
    assert (response.status_code, response["Location"]) == (302, "/staff/")
    html = client.get("/staff/").content.decode()
    for link in ('href="/staff/catalog/"', 'href="/staff/catalog/import/"', 'href="/api/v1/docs"'):
        assert link in html
    assert "康平县图书馆 (LN-SY-KP)" in html


def test_a_wrong_password_is_refused_on_the_form(client, staff):
    response = client.post("/staff/login/", {"username": "kp", "password": "wrong"})

    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("path", ["/staff/", "/staff/catalog/", "/staff/catalog/1/", "/staff/catalog/import/"])
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/staff/login/?next={path}"


def test_logout_is_a_post_and_ends_the_session(staff):
    client = Client()
    client.force_login(staff.viewer)

    response = client.post("/staff/logout/")

    assert (response.status_code, response["Location"]) == (302, "/staff/login/")
    assert client.get("/staff/").status_code == 302


def test_the_api_docs_are_served_without_a_cdn(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_the_shell_loads_htmx_from_our_own_static_files(client):
    html = client.get("/staff/login/").content.decode()

    assert '<script src="/static/htmx/htmx.min.js" defer></script>' in html
    assert "http://" not in html and "https://" not in html


def test_the_committed_english_catalogue_is_compiled_from_its_po(tmp_path):
    """After editing strings: `cd shelfmark && ../.venv/bin/shelfmark makemessages -l en --no-location
    --ignore "tests/*" --ignore "*/tests/*"`, translate locale/en/LC_MESSAGES/django.po, then
    `../.venv/bin/shelfmark compilemessages -l en` (needs gettext) and commit both files."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    messages = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"
    subprocess.run([msgfmt, "-o", str(tmp_path / "fresh.mo"), str(messages / "django.po")], check=True)

    def catalogue(path: Path) -> dict[object, str]:
        with path.open("rb") as fh:
            return dict(gettext.GNUTranslations(fh)._catalog)  # type: ignore[attr-defined]

    assert catalogue(messages / "django.mo") == catalogue(tmp_path / "fresh.mo")
