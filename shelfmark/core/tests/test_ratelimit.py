"""Rate limits by url name: rules read strictly, fixed windows per address and per field, Retry-After, real Redis."""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import path

from shelfmark import settings as platform_settings
from shelfmark.core import ratelimit

served: list[str] = []


def counted_view(request: HttpRequest) -> HttpResponse:
    served.append(request.method or "")
    return HttpResponse("ok")


urlpatterns = [path("limited/", counted_view, name="limited"), path("free/", counted_view, name="free")]
pytestmark = pytest.mark.urls(__name__)
NOW = 1_000_000.0  # the clock the windows are counted in: window 1666 of ten minutes ends at 1,000,200


@pytest.fixture(autouse=True)
def clean(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """A cleared cache, no served requests yet, and a clock the test moves by hand."""
    from django.core.cache import cache

    cache.clear()
    served.clear()
    clock = [NOW]
    monkeypatch.setattr(ratelimit, "clock", lambda: clock[0])
    yield clock
    cache.clear()


def _post(client: Any, url: str = "/limited/", **extra: Any) -> Any:
    return client.post(url, extra.pop("data", {}), HTTP_ACCEPT="application/json", **extra)


def test_a_rule_string_reads_methods_key_limit_and_window():
    rule = ratelimit.parse_rule("POST,PUT field:card 10/10m")

    assert (rule.methods, rule.key, rule.limit, rule.seconds) == (frozenset({"POST", "PUT"}), "field:card", 10, 600)
    assert ratelimit.parse_rule("ip 300/s").seconds == 1
    assert ratelimit.parse_rule("ip 5/2h").seconds == 7200
    assert ratelimit.parse_rule("ip 5/2h").applies_to("DELETE")


@pytest.mark.parametrize("bad", ["ip 0/1m", "POST ip 10", "post ip 10/1m", "cookie 10/1m", "ip 10/1d", "field: 3/1m"])
def test_a_bad_rule_is_refused_naming_the_rule(bad):
    with pytest.raises(ImproperlyConfigured, match=f"rule {bad!r} is not"):
        ratelimit.parse_rule(bad)


def test_a_bad_rule_in_settings_stops_the_middleware_at_start(settings):
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["ip 10 per minute"]}

    with pytest.raises(ImproperlyConfigured, match="'ip 10 per minute'"):
        ratelimit.RateLimitMiddleware(counted_view)


def test_a_single_string_instead_of_a_list_is_refused_naming_the_url(settings):
    settings.SHELFMARK_RATE_LIMITS = {"limited": "ip 10/1m"}

    with pytest.raises(ImproperlyConfigured, match=r"SHELFMARK_RATE_LIMITS\['limited'\] must be a list"):
        ratelimit.configured_limits()


def test_requests_over_the_limit_get_429_with_retry_after_and_never_reach_the_view(client, settings):
    # given two POSTs per ten minutes for one address
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["POST ip 2/10m"]}

    # when the address posts three times
    answers = [_post(client) for _ in range(3)]

    # then the third is refused until the window ends, and only two reached the view
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2]["Retry-After"] == "200"
    assert answers[2].json() == {"code": "rate_limited", "message": "操作太频繁了，请 4 分钟后再试。", "field": None}
    assert "no-store" in answers[2]["Cache-Control"]
    assert served == ["POST", "POST"]


def test_the_limit_lifts_when_the_window_ends(client, settings, clean):
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["ip 1/10m"]}
    assert _post(client).status_code == 200
    assert _post(client).status_code == 429

    clean[0] = NOW + 200  # the next ten-minute window

    assert _post(client).status_code == 200
    assert served == ["POST", "POST"]


def test_a_long_wait_is_said_in_minutes(client, settings, clean):
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["ip 1/1h"]}
    clean[0] = 3600.0 * 1000 + 60  # one minute into an hour

    _post(client)
    refused = _post(client)

    assert refused["Retry-After"] == "3540"
    assert refused.json()["message"] == "操作太频繁了，请 59 分钟后再试。"


def test_methods_not_named_in_the_rule_are_not_counted(client, settings):
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["POST ip 1/1m"]}

    gets = [client.get("/limited/").status_code for _ in range(3)]
    posts = [_post(client).status_code for _ in range(2)]

    assert (gets, posts) == ([200, 200, 200], [200, 429])


def test_other_urls_and_other_addresses_keep_their_own_count(client, settings):
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["ip 1/1m"]}
    _post(client)

    refused = _post(client)
    assert (refused.status_code, refused.json()["message"]) == (429, "操作太频繁了，请 20 秒后再试。")
    assert _post(client, REMOTE_ADDR="203.0.113.9").status_code == 200
    assert _post(client, "/free/").status_code == 200


def test_a_field_rule_counts_one_value_across_addresses_trimmed_and_case_folded(client, settings):
    # given one try per minute per card, from any address
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["POST field:card 1/1m"]}

    # when the same card is tried from two addresses, written differently
    first = _post(client, data={"card": "LN0001"}, REMOTE_ADDR="198.51.100.1")
    again = _post(client, data={"card": " ln0001 "}, REMOTE_ADDR="198.51.100.2")

    # then the second is refused, while another card and a post without a card are not counted by it
    assert (first.status_code, again.status_code) == (200, 429)
    assert _post(client, data={"card": "LN0002"}).status_code == 200
    assert _post(client, data={}).status_code == 200


def test_the_longest_wait_of_the_broken_rules_is_given(client, settings):
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["ip 1/1m", "ip 1/10m"]}
    _post(client)

    refused = _post(client)

    assert refused["Retry-After"] == "200"  # the minute ends at 1,000,020, the ten minutes at 1,000,200


def test_forwarded_for_is_ignored_unless_proxies_are_trusted():
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert ratelimit.client_address(spoofed) == "10.0.0.5"


def test_behind_one_trusted_proxy_the_address_it_appended_counts(settings):
    settings.SHELFMARK_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")

    assert ratelimit.client_address(request) == "203.0.113.7"


def test_an_ipv6_client_counts_by_its_64_network_and_a_mapped_ipv4_as_ipv4():
    factory = RequestFactory()

    one = ratelimit.client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2::1"))
    other = ratelimit.client_address(factory.get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    mapped = ratelimit.client_address(factory.get("/", REMOTE_ADDR="::ffff:192.0.2.8"))

    assert one == other == "2001:db8:1:2::/64"
    assert mapped == "192.0.2.8"


def test_the_cache_is_redis_for_a_redis_url_and_local_memory_by_default(monkeypatch):
    monkeypatch.setenv("SHELFMARK_CACHE_URL", "redis://127.0.0.1:6379/3")
    redis = platform_settings._caches()["default"]
    monkeypatch.delenv("SHELFMARK_CACHE_URL")
    local = platform_settings._caches()["default"]

    assert (redis["BACKEND"], redis["LOCATION"]) == (
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/3",
    )
    assert local["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_an_unknown_cache_url_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SHELFMARK_CACHE_URL", "memcached://127.0.0.1:11211")

    with pytest.raises(ImproperlyConfigured, match=re.escape("SHELFMARK_CACHE_URL='memcached://127.0.0.1:11211'")):
        platform_settings._caches()


def _redis_listening() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def test_limits_count_in_redis_shared_by_every_process(client, settings):
    """The Redis cache (SHELFMARK_CACHE_URL=redis://...) keeps one count for all workers: a second client
    built on its own connection sees the first one's requests."""
    if not _redis_listening():
        if os.environ.get("CI"):
            pytest.fail("Redis is not listening on 127.0.0.1:6379")
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    prefix = f"shelfmark-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    settings.SHELFMARK_RATE_LIMITS = {"limited": ["ip 2/10m"]}
    import redis

    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        # when two requests are counted, and the server is asked what it holds
        assert [_post(client).status_code for _ in range(2)] == [200, 200]
        keys = server.keys(f"{prefix}:*")

        # then one counter holds both, expiring with the window, and the third request is refused
        assert len(keys) == 1
        assert int(server.get(keys[0]) or 0) == 2
        assert 0 < server.ttl(keys[0]) <= 201
        assert _post(client).status_code == 429
    finally:
        for key in server.keys(f"{prefix}:*"):
            server.delete(key)
