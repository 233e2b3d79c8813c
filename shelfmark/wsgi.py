"""WSGI entry point for gunicorn or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Do what every worker's first request would otherwise do: import every view through the URLconf and load
    the search dictionaries. Under gunicorn --preload this runs once in the master (about 1.4 s of CPU that each
    worker's first reader waited for), and the workers share it."""
    from django.urls import get_resolver

    from shelfmark.catalog.search.tokens import warm_up

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module
    warm_up()


_warm_up()
