"""The public list pages cost the same few statements whatever the number of titles they show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shelfmark.booklists import services as booklists
from shelfmark.booklists.models import Kind
from shelfmark.booklists.tests.factories import make_classed_record, make_list_staff
from shelfmark.circulation import services as circulation

pytestmark = pytest.mark.django_db

# Statements per page for an anonymous reader; the same with 2 titles and with 8. On PostgreSQL new arrivals add
# four inside the test's transaction: a savepoint, parallel workers off for the walk, back on, the release.
PAGES = {
    "/new/": 5,  # libraries for the choice, the page of first copies, records, shelves (items, libraries)
    "/new/?library=LN-SY&class=I&days=90": 7,  # + the chosen library, its subtree
    "/new/feed/atom?library=LN-SY": 6,
    "/rankings/?period=all": 5,  # libraries, the GROUP BY, records, shelves (2)
    "/rankings/?period=all&library=LN-SY-KP&category=child&class=I": 7,
    "/lists/": 1,
    "/lists/{list}/": 4,  # the list, its entries with records, shelves (2)
    "/lists/{list}/feed/rss": 2,
    "/children/": 12,  # listed entries; for the 4 bands with classes their newest titles and which are held; records,
    # shelves (2)
    "/children/7-9/": 6,
}


def _fill(shelf, titles: int):
    staff = make_list_staff(shelf.net)
    book_list = booklists.create_list(
        library=shelf.net.county, title="荐书", kind=Kind.CHILDREN, age_band="7-9", actor=staff.county_desk
    )
    for n in range(titles):
        record = make_classed_record(f"童话{n}", "I287.5")
        item = shelf.item(
            record,
            library=shelf.net.county if n % 2 else shelf.net.township,
            now=timezone.now() - timedelta(days=n + 1),
        )
        shelf.item(record, library=shelf.net.other_county)
        circulation.check_out(item=item, patron=shelf.reader(category="child"), library=item.home_library, actor=None)
        booklists.add_entry(book_list=book_list, record=record, note=f"推荐{n}", actor=staff.county_desk)
    for band, clc in (("0-3", "G613"), ("4-6", "I287.8"), ("10-12", "Z228")):
        shelf.item(make_classed_record(f"{band}的书", clc))
    booklists.publish(book_list=book_list, actor=staff.county_desk)
    return book_list


@pytest.mark.parametrize("titles", [2, 8])
def test_each_public_list_page_costs_a_fixed_number_of_statements(shelf, client, titles):
    book_list = _fill(shelf, titles)
    counted = {}
    for url in PAGES:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(list=book_list.pk))
        assert response.status_code == 200, url
        counted[url] = len(queries)

    serial = 4 if connection.vendor == "postgresql" else 0
    assert counted == {url: count + (serial if url.startswith("/new/") else 0) for url, count in PAGES.items()}


def test_a_cached_ranking_page_reads_no_events(shelf, client):
    _fill(shelf, 3)
    cache.clear()
    client.get("/rankings/?period=all")

    with CaptureQueriesContext(connection) as queries:
        client.get("/rankings/?period=all")

    assert len(queries) == PAGES["/rankings/?period=all"] - 1
    assert not any("circulation_circulationevent" in query["sql"] for query in queries)
