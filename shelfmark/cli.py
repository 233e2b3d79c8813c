"""The `shelfmark` console command: Django's management commands under one name, hyphens allowed."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command, so that `shelfmark import-marc` means `manage.py import_marc`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelfmark.settings")
    args = list(sys.argv if argv is None else ["shelfmark", *argv])
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
