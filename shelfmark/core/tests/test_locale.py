import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_zh_hans_whatever_the_browser_asks(client):
    response = client.get("/staff/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans"' in response.content.decode()


def test_the_language_switch_is_remembered(client):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/staff/login/"})

    response = client.get("/staff/login/")

    assert switched.status_code == 302
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in response.content.decode()


def test_a_forged_language_falls_back_to_zh_hans(client):
    client.cookies["django_language"] = "xx-evil"

    response = client.get("/staff/login/")

    assert response["Content-Language"] == "zh-hans"
