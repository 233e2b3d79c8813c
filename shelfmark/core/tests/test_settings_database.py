"""DATABASE_URL: a sqlite:// URL gets the same WAL and immediate transactions as the embedded default."""

from __future__ import annotations

import pytest

from shelfmark import settings as platform_settings


def test_a_sqlite_url_keeps_immediate_transactions(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/other.sqlite3")

    config = platform_settings._database()

    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_a_postgresql_url_gets_no_sqlite_options(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://user@127.0.0.1:5432/shelfmark")

    config = platform_settings._database()

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in config.get("OPTIONS", {})
