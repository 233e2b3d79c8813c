"""Demo staff logins, one per role and level, so that each permission boundary can be tried by hand."""

from __future__ import annotations

from shelfmark.accounts import services
from shelfmark.accounts.models import Role
from shelfmark.libraries.models import Library

# (username, password, name, library code, roles, superuser)
STAFF: list[tuple[str, str, str, str, list[str], bool]] = [
    ("admin", "shelfmark-admin", "系统管理员", "LN", [Role.ADMIN], True),
    ("cataloguer", "shelfmark-cat", "省馆编目员", "LN", [Role.CATALOGUER], False),
    ("kangping", "shelfmark-kp", "康平县编目员", "LN-SY-KP", [Role.CATALOGUER, Role.CIRCULATION], False),
    ("desk", "shelfmark-desk", "沈阳流通馆员", "LN-SY", [Role.CIRCULATION], False),
]


def load_staff(libraries: dict[str, Library]) -> list[dict[str, str]]:
    """Create the demo logins and return them for printing."""
    logins = []
    for username, password, name, code, roles, superuser in STAFF:
        services.create_staff(
            username=username,
            password=password,
            name=name,
            library=libraries[code],
            roles=list(roles),
            is_superuser=superuser,
        )
        logins.append(
            {
                "username": username,
                "password": password,
                "name": name,
                "library": code,
                "roles": ",".join(roles) or "superuser",
            }
        )
    return logins
