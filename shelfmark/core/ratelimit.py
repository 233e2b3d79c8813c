"""Rate limits by url name, per client address and per submitted field (a card number), counted in Django's cache.

SHELFMARK_RATE_LIMITS maps a url name to rules, each a string `[METHODS] KEY LIMIT/WINDOW`:

    "opac:login": ["POST ip 60/10m", "POST field:card 10/10m"],
    "opac:search": ["ip 300/1m"],

KEY is `ip` (the client address, an IPv6 client by its /64 network) or `field:<name>` (the value posted or
queried under that name, trimmed and case-folded; a request without it is not counted by that rule). WINDOW is
seconds, minutes or hours (`30s`, `10m`, `1h`). Each rule counts requests in fixed windows with the cache's
atomic add and incr, so the count is shared by every worker when the cache is Redis (SHELFMARK_CACHE_URL), and
per process with the local-memory default. A request over any rule gets 429 with Retry-After, in the reader's
language; the middleware applies limits by url name, so views need no decorator.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

_RULE = re.compile(
    r"^(?:(?P<methods>[A-Z]+(?:,[A-Z]+)*)\s+)?(?P<key>ip|field:[A-Za-z_][A-Za-z0-9_]*)\s+"
    r"(?P<limit>[1-9][0-9]*)/(?P<count>[1-9][0-9]*)?(?P<unit>[smh])$"
)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
CODE = "rate_limited"


@dataclass(frozen=True)
class Rule:
    """At most `limit` requests per `seconds` window for one value of `key`, for the given methods (all if none)."""

    text: str
    methods: frozenset[str]
    key: str
    limit: int
    seconds: int

    def applies_to(self, method: str) -> bool:
        return not self.methods or method in self.methods


@lru_cache(maxsize=256)
def parse_rule(text: str) -> Rule:
    """Read one rule string, or say exactly which part of it is wrong."""
    found = _RULE.match(text.strip())
    if found is None:
        raise ImproperlyConfigured(
            f"SHELFMARK_RATE_LIMITS: rule {text!r} is not `[METHODS] ip|field:<name> LIMIT/WINDOW` "
            "(for example 'POST ip 60/10m')"
        )
    methods = frozenset(found["methods"].split(",")) if found["methods"] else frozenset()
    seconds = int(found["count"] or 1) * _UNIT_SECONDS[found["unit"]]
    return Rule(text=text, methods=methods, key=found["key"], limit=int(found["limit"]), seconds=seconds)


def configured_limits() -> dict[str, list[Rule]]:
    """Return the rules of SHELFMARK_RATE_LIMITS by url name, raising ImproperlyConfigured on a bad entry."""
    raw = getattr(settings, "SHELFMARK_RATE_LIMITS", {}) or {}
    if not isinstance(raw, dict):
        raise ImproperlyConfigured("SHELFMARK_RATE_LIMITS must map url names to lists of rule strings")
    limits: dict[str, list[Rule]] = {}
    for name, rules in raw.items():
        if isinstance(rules, str) or not isinstance(rules, Iterable):
            raise ImproperlyConfigured(f"SHELFMARK_RATE_LIMITS[{name!r}] must be a list of rule strings")
        limits[name] = [parse_rule(rule) for rule in rules]
    return limits


def client_address(request: HttpRequest) -> str:
    """Return the address a limit counts: REMOTE_ADDR, or X-Forwarded-For as seen by the trusted proxies.

    SHELFMARK_TRUSTED_PROXIES is how many proxies in front of the app append to X-Forwarded-For (0: none, and the
    header is ignored, since a client can send any value in it). An IPv6 client counts by its /64, which one
    subscriber holds whole, so it cannot step past a limit by changing the low bits.
    """
    address = request.META.get("REMOTE_ADDR", "") or ""
    hops = int(getattr(settings, "SHELFMARK_TRUSTED_PROXIES", 0))
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6 and parsed.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed.ipv4_mapped or parsed) if parsed.version == 6 else str(parsed)


def _value(request: HttpRequest, rule: Rule) -> str | None:
    if rule.key == "ip":
        return client_address(request)
    field = rule.key.removeprefix("field:")
    data = request.POST if request.method == "POST" else request.GET
    value = (data.get(field) or "").strip().casefold()
    return value or None


def _counter_key(name: str, rule: Rule, value: str, window: int) -> str:
    # The value is hashed: card numbers and addresses stay out of the cache's keys (and Redis's MONITOR).
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"ratelimit:{name}:{rule.key}:{rule.seconds}:{window}:{digest}"


def count(name: str, rule: Rule, value: str, *, now: float) -> int:
    """Count one request against the rule and return the seconds to wait (0 while under the limit)."""
    window = int(now // rule.seconds)
    left = (window + 1) * rule.seconds - now
    key = _counter_key(name, rule, value, window)
    timeout = math.ceil(left) + 1
    cache.add(key, 0, timeout)
    try:
        hits = cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this request opens the next window
        cache.add(key, 1, timeout)
        hits = 1
    return max(1, math.ceil(left)) if hits > rule.limit else 0


def check(request: HttpRequest, name: str, rules: list[Rule], *, now: float) -> tuple[int, Rule | None]:
    """Count the request against every rule of its url that applies; return the longest wait and its rule."""
    wait, broken = 0, None
    for rule in rules:
        if not rule.applies_to(request.method or "GET"):
            continue
        value = _value(request, rule)
        if value is None:
            continue
        rule_wait = count(name, rule, value, now=now)
        if rule_wait > wait:
            wait, broken = rule_wait, rule
    return wait, broken


def wait_text(seconds: int) -> str:
    """Say how long to wait, in seconds under two minutes and in minutes beyond."""
    if seconds < 120:
        return ngettext("{n} 秒", "{n} 秒", seconds).format(n=seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("{n} 分钟", "{n} 分钟", minutes).format(n=minutes)


def refusal(request: HttpRequest, seconds: int) -> HttpResponse:
    """Answer 429 with Retry-After: JSON {code, message, field} to API clients, a page in the reader's language else."""
    message = _("操作太频繁了，请 {wait}后再试。").format(wait=wait_text(seconds))
    response: HttpResponse
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"code": CODE, "message": message, "field": None}, status=429)
    else:
        template = getattr(settings, "SHELFMARK_RATE_LIMIT_TEMPLATE", "429.html")
        retry = request.get_full_path() if request.method == "GET" else ""
        context = {"message": message, "retry_after": seconds, "retry_url": retry}
        response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


def clock() -> float:
    """Return the time the windows are counted in (a test sets its own clock here to cross a window's end)."""
    return time.time()


class RateLimitMiddleware:
    """Refuse a request over a limit of its url name (SHELFMARK_RATE_LIMITS) before its view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        configured_limits()  # a bad rule stops the server at start, not at the first request it would limit

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: object, args: object, kwargs: object) -> HttpResponse | None:
        match = request.resolver_match
        if match is None:
            return None
        rules = configured_limits().get(match.view_name)
        if not rules:
            return None
        wait, rule = check(request, match.view_name, rules, now=clock())
        if not wait:
            return None
        logger.info("rate limit %s %r: refused for %s s", match.view_name, rule and rule.text, wait)
        return refusal(request, wait)
