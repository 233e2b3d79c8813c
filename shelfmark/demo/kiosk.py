"""The demo self-service kiosk: one SIP2 terminal at the 24-hour library, with a login a kiosk can be set up with."""

from __future__ import annotations

from typing import Any

from shelfmark.libraries import services as library_services
from shelfmark.libraries.models import Library, ServicePoint
from shelfmark.protocols.sip2 import services as sip2
from shelfmark.protocols.sip2.models import Terminal

LOGIN = "kiosk-ss01"
PASSWORD = "shelfmark-kiosk"
INSTITUTION = "LN"
LIBRARY = "LN-SS-01"


def load_kiosk(libraries: dict[str, Library]) -> dict[str, Any]:
    """Add the kiosk's service point and SIP2 terminal once; return what a kiosk needs to log in."""
    library = libraries[LIBRARY]
    point = ServicePoint.objects.filter(code=f"{LIBRARY}-KIOSK").first() or library_services.create_service_point(
        library=library, code=f"{LIBRARY}-KIOSK", name="自助借还机 1 号", kind=ServicePoint.Kind.KIOSK
    )
    if not Terminal.objects.filter(login=LOGIN).exists():
        sip2.add_terminal(
            login=LOGIN,
            library=library,
            service_point=point,
            actor=None,
            password=PASSWORD,
            name="24小时自助图书馆 自助借还机 1 号",
            institution_id=INSTITUTION,
        )
    return {
        "server": "shelfmark sip2-server --host 127.0.0.1 --port 6001",
        "host": "127.0.0.1",
        "port": 6001,
        "login": LOGIN,
        "password": PASSWORD,
        "institution_id": INSTITUTION,
        "library": LIBRARY,
        "encoding": "utf-8",
    }
