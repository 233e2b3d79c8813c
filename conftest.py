"""Suite-wide set-up lives in tests/settings.py, which pytest-django loads before any conftest runs."""
