"""Build a small network tree for tests: province → city → county → township, with a study room."""

from __future__ import annotations

from dataclasses import dataclass

from shelfmark.libraries import services
from shelfmark.libraries.models import Kind, Level, Library


@dataclass
class Network:
    province: Library
    city: Library
    county: Library
    township: Library
    other_county: Library
    study_room: Library


def make_network() -> Network:
    """Create a five-level network with two counties under one city."""
    province = services.create_library(code="LN", name="辽宁省图书馆", level=Level.PROVINCE)
    city = services.create_library(code="LN-SY", name="沈阳市图书馆", level=Level.CITY, parent=province)
    county = services.create_library(code="LN-SY-KP", name="康平县图书馆", level=Level.COUNTY, parent=city)
    township = services.create_library(code="LN-SY-KP-01", name="康平镇分馆", level=Level.TOWNSHIP, parent=county)
    other = services.create_library(code="LN-SY-FK", name="法库县图书馆", level=Level.COUNTY, parent=city)
    room = services.create_library(
        code="LN-SY-SR1", name="沈阳城市书房一号", level=Level.BRANCH, kind=Kind.STUDY_ROOM, parent=city
    )
    return Network(province, city, county, township, other, room)
