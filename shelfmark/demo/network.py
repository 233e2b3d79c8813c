"""The demo network: a provincial library, two cities, counties, townships, a study room, a kiosk, a bookmobile."""

from __future__ import annotations

from datetime import date, time

from shelfmark.libraries import services
from shelfmark.libraries.models import Kind, Level, Library

# (code, name, English name, level, kind, parent code)
NETWORK: list[tuple[str, str, str, str, str, str | None]] = [
    ("LN", "辽宁省图书馆", "Liaoning Provincial Library", Level.PROVINCE, Kind.LIBRARY, None),
    ("LN-SY", "沈阳市图书馆", "Shenyang Library", Level.CITY, Kind.LIBRARY, "LN"),
    ("LN-DL", "大连图书馆", "Dalian Library", Level.CITY, Kind.LIBRARY, "LN"),
    ("LN-SY-KP", "康平县图书馆", "Kangping County Library", Level.COUNTY, Kind.LIBRARY, "LN-SY"),
    ("LN-SY-FK", "法库县图书馆", "Faku County Library", Level.COUNTY, Kind.LIBRARY, "LN-SY"),
    ("LN-DL-ZH", "庄河市图书馆", "Zhuanghe Library", Level.COUNTY, Kind.LIBRARY, "LN-DL"),
    ("LN-SY-KP-01", "康平镇分馆", "Kangping Town Branch", Level.TOWNSHIP, Kind.BRANCH, "LN-SY-KP"),
    ("LN-SY-FK-01", "法库镇分馆", "Faku Town Branch", Level.TOWNSHIP, Kind.BRANCH, "LN-SY-FK"),
    ("LN-SY-SR1", "沈阳城市书房·中街", "Zhongjie City Study Room", Level.BRANCH, Kind.STUDY_ROOM, "LN-SY"),
    ("LN-SS-01", "省图24小时自助图书馆", "Provincial 24-hour Library", Level.BRANCH, Kind.SELF_SERVICE, "LN"),
    ("LN-BM-01", "省图流动图书车", "Provincial Bookmobile", Level.BRANCH, Kind.BOOKMOBILE, "LN"),
]


def load_network() -> dict[str, Library]:
    """Create the demo network (idempotent) with opening hours and the Spring Festival closure."""
    libraries: dict[str, Library] = {lib.code: lib for lib in Library.objects.all()}
    for code, name, name_en, level, kind, parent in NETWORK:
        if code not in libraries:
            libraries[code] = services.create_library(
                code=code,
                name=name,
                name_en=name_en,
                level=level,
                kind=kind,
                parent=libraries[parent] if parent else None,
            )
    province = libraries["LN"]
    if not province.opening_hours.exists():
        services.set_opening_hours(library=province, hours={d: (time(9), time(20)) for d in range(1, 7)})
        services.set_opening_hours(library=libraries["LN-SS-01"], hours={d: (time(0), time(23, 59)) for d in range(7)})
        for day in (date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)):
            services.add_closed_day(library=province, day=day, reason="春节", applies_to_subtree=True)
    for code in ("LN", "LN-SY", "LN-DL", "LN-SY-KP"):
        if not libraries[code].service_points.exists():
            services.create_service_point(library=libraries[code], code=f"{code}-DESK", name="总服务台")
    return libraries
