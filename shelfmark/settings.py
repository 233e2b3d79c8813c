"""Settings read from the environment, so one build serves a laptop and a production network."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SHELFMARK_DATA_DIR") or Path.cwd() / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return the key from the environment, else the one generated on first run and kept in DATA_DIR."""
    if key := os.environ.get("SHELFMARK_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("SHELFMARK_DEBUG", "1") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SHELFMARK_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
BASE_URL = os.environ.get("SHELFMARK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SHELFMARK_BASE_URL = BASE_URL  # items' QR codes encode <SHELFMARK_BASE_URL>/i/<code>

# Circulation rules and library calendars are read by every loan; edits apply within this many seconds.
SHELFMARK_POLICY_CACHE_SECONDS = float(os.environ.get("SHELFMARK_POLICY_CACHE_SECONDS", "60"))

# Notices to readers: kept in the outbox (notices.Notice) unless a real channel is configured.
# SHELFMARK_EMAIL_NOTICES=1 sends email through Django's mail settings (EMAIL_HOST, EMAIL_PORT, ...).
SHELFMARK_NOTICE_BACKENDS = (
    {"email": "shelfmark.notices.backends.EmailBackend"} if os.environ.get("SHELFMARK_EMAIL_NOTICES") == "1" else {}
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "library@localhost")


def _oai_repository_id() -> str:
    """The OAI-PMH repositoryIdentifier: SHELFMARK_OAI_REPOSITORY_ID, else SHELFMARK_BASE_URL's host when it is a
    domain name (the oai-identifier scheme needs one, with a dot), else shelfmark.local."""
    if chosen := os.environ.get("SHELFMARK_OAI_REPOSITORY_ID"):
        return chosen
    host = urlsplit(BASE_URL).hostname or ""
    domain = re.fullmatch(r"[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+", host)
    return host if domain else "shelfmark.local"


# OAI-PMH provider at /oai (shelfmark/protocols/oaipmh): identifiers are oai:<repository id>:<record id>; a list
# response holds SHELFMARK_OAI_PAGE_SIZE records and its resumption token lasts SHELFMARK_OAI_TOKEN_SECONDS.
SHELFMARK_OAI_REPOSITORY_ID = _oai_repository_id()
SHELFMARK_OAI_REPOSITORY_NAME = os.environ.get("SHELFMARK_OAI_REPOSITORY_NAME", "Shelfmark")
SHELFMARK_OAI_ADMIN_EMAIL = os.environ.get("SHELFMARK_OAI_ADMIN_EMAIL", f"oai@{SHELFMARK_OAI_REPOSITORY_ID}")
SHELFMARK_OAI_PAGE_SIZE = int(os.environ.get("SHELFMARK_OAI_PAGE_SIZE", "100"))
SHELFMARK_OAI_TOKEN_SECONDS = int(os.environ.get("SHELFMARK_OAI_TOKEN_SECONDS", str(24 * 3600)))
# SRU server at /sru (shelfmark/protocols/sru): records per response when the client does not say, and at most.
SHELFMARK_SRU_DATABASE_TITLE = os.environ.get("SHELFMARK_SRU_DATABASE_TITLE", SHELFMARK_OAI_REPOSITORY_NAME)
SHELFMARK_SRU_DEFAULT_RECORDS = int(os.environ.get("SHELFMARK_SRU_DEFAULT_RECORDS", "10"))
SHELFMARK_SRU_MAXIMUM_RECORDS = int(os.environ.get("SHELFMARK_SRU_MAXIMUM_RECORDS", "100"))


def _z3950_targets(text: str) -> list[tuple[str, str, str]]:
    """Z39.50 servers the copy-cataloguing page offers by name: `name=host:port/db[|unimarc];...`."""
    targets = []
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        name, _, rest = entry.partition("=")
        zurl, _, syntax = rest.partition("|")
        targets.append((name.strip(), zurl.strip(), syntax.strip() or "usmarc"))
    return targets


SHELFMARK_Z3950_TARGETS = _z3950_targets(os.environ.get("SHELFMARK_Z3950_TARGETS", ""))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "ninja",  # serves the OpenAPI docs page from its own static files, no CDN
    "js_lib_htmx",  # htmx.min.js as a static file (django-js-lib-htmx), no CDN
    "shelfmark.core",
    "shelfmark.libraries",
    "shelfmark.accounts",
    "shelfmark.notices",
    "shelfmark.catalog",
    "shelfmark.patrons",
    "shelfmark.holdings",
    "shelfmark.fines",
    "shelfmark.booklists",
    "shelfmark.circulation",
    "shelfmark.union_catalog",
    "shelfmark.ill",  # interlibrary loan (馆际互借): requests, staff queues, ISO 18626 at /ill/iso18626
    "shelfmark.protocols.sip2",
    "shelfmark.protocols.z3950",  # Z39.50 copy cataloguing (the copycat command)
    "shelfmark.opac",
    "shelfmark.alliance",  # local documents and scorecards: reads every app above, nothing imports it
    "shelfmark.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shelfmark.core.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shelfmark.core.ratelimit.RateLimitMiddleware",  # by url name, before any view work (SHELFMARK_RATE_LIMITS)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shelfmark.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shelfmark.opac.display.context",  # large text / high contrast on <html> from the first paint
            ],
        },
    },
]
WSGI_APPLICATION = "shelfmark.wsgi.application"


# SQLite wherever it comes from: WAL for readers beside a writer, and immediate transactions, without which
# SQLite's locks start at the first write and select_for_update protects nothing.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
    "transaction_mode": "IMMEDIATE",
}


def _database() -> dict[str, Any]:
    """Use DATABASE_URL when set; else embedded SQLite in DATA_DIR with WAL and immediate transactions."""
    url = os.environ.get("DATABASE_URL", "")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        if config["ENGINE"] == "django.db.backends.postgresql":
            # One test database per process, so that concurrent suites on one server do not drop each other's.
            config["TEST"] = {
                "TEMPLATE": "template0",
                "CHARSET": "UTF8",
                "NAME": f"test_{config['NAME']}_{os.getpid()}",
            }
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "shelfmark.sqlite3",
        # Keep each thread's connection: opening one costs ~5 ms (the pragmas, the WAL index) and closing the last
        # one checkpoints the WAL, another ~5 ms, which per request was most of a check-out's time.
        "CONN_MAX_AGE": None,
        "OPTIONS": dict(SQLITE_OPTIONS),
        "TEST": {"NAME": os.environ.get("SHELFMARK_TEST_SQLITE") or None},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/staff/login/"
LOGIN_REDIRECT_URL = "/staff/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("SHELFMARK_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the staff shell's CSS
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024


def _caches() -> dict[str, Any]:
    """Use Redis when SHELFMARK_CACHE_URL is redis:// (or rediss://, unix://), else this process's memory."""
    url = os.environ.get("SHELFMARK_CACHE_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "shelfmark",
            }
        }
    if url in ("", "locmem://"):
        # Local memory belongs to one process: under gunicorn with N workers each keeps its own counters, so a
        # rate limit lets up to N times its number through; several workers or servers should share Redis.
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shelfmark"}}
    raise ImproperlyConfigured(
        f"SHELFMARK_CACHE_URL={url!r}: use redis://host:port/db, rediss://, unix:// or locmem://"
    )


CACHES = _caches()

# The staff session is read on every scan: from Redis when the platform shares one (write-through to the
# database, so a restart keeps people signed in); a per-process memory cache would let a worker keep a
# session another worker ended, so without Redis sessions stay in the database only.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
AUTHENTICATION_BACKENDS = ["shelfmark.accounts.backends.StaffBackend"]

# Requests per window by url name (shelfmark/core/ratelimit.py reads the rules). A library's public PCs and its
# Wi-Fi share one address, so the per-address limits are generous; a card's login limit is tight (the PIN lockout
# stops guessing on one card, this stops trying many cards or hammering one). SHELFMARK_RATE_LIMITS=off turns
# them off, for a load test from one address.
SHELFMARK_RATE_LIMITS: dict[str, list[str]] = (
    {}
    if os.environ.get("SHELFMARK_RATE_LIMITS") == "off"
    else {
        "opac:login": ["POST ip 60/10m", "POST field:card 10/10m"],
        "opac:search": ["ip 300/1m"],
        "opac:suggest": ["ip 900/1m"],
        "opac:find": ["ip 300/1m"],
    }
)
SHELFMARK_RATE_LIMIT_TEMPLATE = "opac/rate_limited.html"
# How many reverse proxies in front of the app append the client's address to X-Forwarded-For (0: trust none).
SHELFMARK_TRUSTED_PROXIES = int(os.environ.get("SHELFMARK_TRUSTED_PROXIES", "0"))

# Background jobs: Huey on SQLite in the data dir by default, Redis when REDIS_URL is set; tests run immediate.
if os.environ.get("REDIS_URL"):
    HUEY: dict[str, Any] = {"huey_class": "huey.RedisHuey", "name": "shelfmark", "url": os.environ["REDIS_URL"]}
else:
    HUEY = {"huey_class": "huey.SqliteHuey", "name": "shelfmark", "filename": str(DATA_DIR / "jobs.sqlite3")}
HUEY["immediate"] = os.environ.get("SHELFMARK_JOBS_IMMEDIATE", "0") == "1"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHELFMARK_LOG_LEVEL", "WARNING")},
}
