"""The children's view: titles grouped by age band, from published children's lists first, then by CLC class."""

from __future__ import annotations

import pytest

from shelfmark.booklists import services as booklists
from shelfmark.booklists.models import Kind
from shelfmark.booklists.tests.factories import make_classed_record, make_list_staff
from shelfmark.opac import lists_selectors as lists

pytestmark = pytest.mark.django_db


def _held(shelf, title, clc):
    record = make_classed_record(title, clc)
    shelf.item(record)
    return record


def _bands() -> dict[str, list[str]]:
    return {band.value: [title.record.title for title in band.titles] for band in lists.children_bands()}


def test_titles_are_grouped_by_age_band_lists_first_then_classes(shelf):
    staff = make_list_staff(shelf.net)
    # given children's books of several classes on the shelves, and a grown-up novel
    picture = _held(shelf, "猜猜我有多爱你", "I287.8")
    _held(shelf, "十万个为什么", "Z228.1")
    _held(shelf, "草房子", "I287.45")
    _held(shelf, "稻草人", "I287.5")
    _held(shelf, "认识颜色", "G613.2")
    _held(shelf, "平凡的世界", "I247.57")
    make_classed_record("没有馆藏的童话", "I287.5")  # no copy anywhere: not offered
    # and a published children's list for teenagers, which also recommends a picture book to 4-6
    teen = booklists.create_list(
        library=shelf.net.county, title="青少年书单", kind=Kind.CHILDREN, age_band="13-up", actor=staff.county_desk
    )
    booklists.add_entry(
        book_list=teen,
        record=_held(shelf, "平凡的世界（青少版）", "I247.57"),
        note="读给十三岁",
        actor=staff.county_desk,
    )
    booklists.publish(book_list=teen, actor=staff.county_desk)
    small = booklists.create_list(
        library=shelf.net.county, title="幼儿绘本", kind=Kind.CHILDREN, age_band="4-6", actor=staff.county_desk
    )
    booklists.add_entry(book_list=small, record=_held(shelf, "团圆", "I287.8"), note="春节读", actor=staff.county_desk)
    booklists.add_entry(book_list=small, record=picture, note="睡前读", actor=staff.county_desk)
    booklists.publish(book_list=small, actor=staff.county_desk)

    # then each band holds its listed titles first (in list order), then its classes' titles newest first
    assert _bands() == {
        "0-3": ["认识颜色"],
        "4-6": ["团圆", "猜猜我有多爱你"],
        "7-9": ["稻草人"],
        "10-12": ["草房子", "十万个为什么"],
        "13-up": ["平凡的世界（青少版）"],
    }


def test_an_unpublished_list_places_nothing(shelf):
    staff = make_list_staff(shelf.net)
    draft = booklists.create_list(
        library=shelf.net.county, title="草稿", kind=Kind.CHILDREN, age_band="0-3", actor=staff.county_desk
    )
    booklists.add_entry(book_list=draft, record=_held(shelf, "小说", "I247.5"), actor=staff.county_desk)

    assert _bands()["0-3"] == []


def test_the_children_page_and_a_band_page(shelf, client):
    for n in range(30):
        _held(shelf, f"童话{n:02d}", "I287.5")

    overview = client.get("/children/").content.decode()
    first = client.get("/children/7-9/").content.decode()
    second = client.get("/children/7-9/", {"page": "2"}).content.decode()

    assert 'id="age-7-9"' in overview and 'href="/children/7-9/"' in overview
    assert overview.count('class="cover band-7-9"') == lists.CHILDREN_PER_BAND
    assert first.count('class="cover band-7-9"') == 24 and "童话29" in first and "童话05" not in first
    assert second.count('class="cover band-7-9"') == 6 and "童话05" in second and 'rel="prev"' in second
    assert client.get("/children/99-100/").status_code == 404
    assert client.get("/children/7-9/", {"page": "-1"}).status_code == 400


def test_titles_no_library_holds_are_passed_over_batch_after_batch(shelf):
    # given three held fairy tales catalogued before thirty that no library holds (union-catalogue records)
    held = [_held(shelf, f"有书的童话{n}", "I287.5") for n in range(3)]
    for n in range(30):
        make_classed_record(f"无书的童话{n}", "I287.5")

    # then the 7-9 band still finds the held ones, newest first, behind the first batch of unheld titles
    assert _bands()["7-9"] == [record.title for record in reversed(held)]
