"""Public lists: new arrivals by period, library subtree and class; rankings from the check-out log; book lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from shelfmark.booklists import services as booklists
from shelfmark.booklists.models import Kind
from shelfmark.booklists.tests.factories import make_classed_record, make_list_staff
from shelfmark.circulation import services as circulation
from shelfmark.holdings import services as holdings
from shelfmark.opac import lists_selectors as lists

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh_rankings():
    """Rankings are cached by their choices; ids repeat across rolled-back tests, so each test starts empty."""
    cache.clear()
    yield
    cache.clear()


def _arrive(shelf, record, library, days_ago: float, **kw):
    """Add a copy of `record` to `library` as if it had been received `days_ago` days ago."""
    return shelf.item(record, library=library, now=timezone.now() - timedelta(days=days_ago), **kw)


def _titles(page) -> list[str]:
    return [title.record.title for title in page.titles]


# -- new arrivals ------------------------------------------------------------------------------------------------


def test_new_arrivals_are_titles_whose_first_copy_came_within_the_period(shelf):
    net = shelf.net
    # given titles first received 10, 45, 120 and 400 days ago, and an old title that just got another copy
    for title, days in (("十天", 10), ("四十五天", 45), ("一百二十天", 120), ("四百天", 400)):
        _arrive(shelf, make_classed_record(title), net.county, days)
    old = make_classed_record("老书添复本")
    _arrive(shelf, old, net.county, 700)
    _arrive(shelf, old, net.county, 2)

    # then each period lists the titles first received within it, newest first, and the old title in none
    assert _titles(lists.new_arrivals(days=30)) == ["十天"]
    assert _titles(lists.new_arrivals(days=90)) == ["十天", "四十五天"]
    assert _titles(lists.new_arrivals(days=180)) == ["十天", "四十五天", "一百二十天"]


def test_a_title_is_new_to_a_library_when_its_first_copy_in_that_subtree_is_recent(shelf):
    net = shelf.net
    # given a title the city has held for years and the county's township just received
    record = make_classed_record("呼兰河传")
    _arrive(shelf, record, net.city, 900)
    township_copy = _arrive(shelf, record, net.township, 5)

    # then it is new to the township and to the county above it, but not to the city, nor to the network
    assert _titles(lists.new_arrivals(days=30, library=net.township)) == ["呼兰河传"]
    assert _titles(lists.new_arrivals(days=30, library=net.county)) == ["呼兰河传"]
    assert lists.new_arrivals(days=30, library=net.city).titles == []
    assert lists.new_arrivals(days=30, library=net.other_county).titles == []
    assert lists.new_arrivals(days=30).titles == []
    page = lists.new_arrivals(days=30, library=net.county)
    assert page.titles[0].when == township_copy.created_at


def test_new_arrivals_by_clc_class_and_without_withdrawn_copies(shelf):
    net = shelf.net
    _arrive(shelf, make_classed_record("活着", "I247.57"), net.county, 3)
    _arrive(shelf, make_classed_record("中国通史", "K20"), net.county, 4)
    withdrawn = _arrive(shelf, make_classed_record("已剔除的书", "I247.5"), net.county, 2)
    holdings.withdraw(item=withdrawn, actor=None, reason="破损")
    _arrive(shelf, make_classed_record("没有分类号", ""), net.county, 1)

    assert _titles(lists.new_arrivals(days=30, clc="I")) == ["活着"]
    assert _titles(lists.new_arrivals(days=30, clc="K")) == ["中国通史"]
    assert _titles(lists.new_arrivals(days=30)) == ["没有分类号", "活着", "中国通史"]


def test_new_arrivals_page_newest_first_with_newer_and_older_links(shelf, client):
    net = shelf.net
    for n in range(25):
        _arrive(shelf, make_classed_record(f"新书{n:02d}"), net.county, 1 + n / 10)

    first = client.get("/new/", {"library": "LN-SY-KP"}).content.decode()
    second = client.get("/new/", {"library": "LN-SY-KP", "page": "2"}).content.decode()

    assert first.index("新书00") < first.index("新书19") and "新书20" not in first
    assert 'href="?library=LN-SY-KP&amp;page=2" rel="next"' in first and 'rel="prev"' not in first
    assert "新书20" in second and "新书24" in second and "新书19" not in second
    assert 'href="?library=LN-SY-KP" rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"library": "NOPE"}, "NOPE"),
        ({"class": "W"}, "W"),
        ({"days": "7"}, "days"),
        ({"page": "x"}, "页码"),
        ({"page": "0"}, "页码"),
    ],
)
def test_a_bad_new_arrivals_choice_answers_400_naming_it(shelf, client, params, named):
    response = client.get("/new/", params)

    assert response.status_code == 400
    assert named in response.content.decode()


def test_the_new_arrivals_page_shows_shelf_places_and_links_its_feeds(shelf, client):
    record = make_classed_record("额尔古纳河右岸", "I247.5")
    _arrive(shelf, record, shelf.net.county, 3)
    _arrive(shelf, record, shelf.net.other_county, 2)

    page = client.get("/new/", {"class": "I", "days": "90"}).content.decode()

    assert f'href="/records/{record.pk}/"' in page
    assert "康平县图书馆 1/1" in page and "法库县图书馆 1/1" in page
    assert '<link rel="alternate" type="application/atom+xml" href="/new/feed/atom?days=90&amp;class=I"' in page
    assert 'href="/new/feed/rss?days=90&amp;class=I"' in page


# -- rankings ----------------------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=SHANGHAI)


def _lend(shelf, record, *, when, library=None, category="adult"):
    """Lend a fresh copy of `record` to a fresh reader of `category` at `library` (the county by default)."""
    library = library or shelf.net.county
    item = shelf.item(record, library=library)
    return circulation.check_out(
        item=item, patron=shelf.reader(category=category), library=library, actor=None, now=when
    )


def _ranked(**kw) -> list[tuple[str, int]]:
    return [(title.record.title, title.loans) for title in lists.rankings(now=NOW, **kw)]


def test_rankings_count_the_check_outs_of_each_period(shelf):
    popular, classic, old = (make_classed_record(title) for title in ("三体", "红楼梦", "老书"))
    for days in (1, 3, 5):
        _lend(shelf, popular, when=NOW - timedelta(days=days))  # this month (20 November)
    _lend(shelf, classic, when=NOW - timedelta(days=2))
    for days in (40, 70, 100):  # October, September, August
        _lend(shelf, classic, when=NOW - timedelta(days=days))
    _lend(shelf, old, when=NOW - timedelta(days=400))

    assert _ranked(period="month") == [("三体", 3), ("红楼梦", 1)]
    assert _ranked(period="quarter") == [("三体", 3), ("红楼梦", 3)]  # September to November
    assert _ranked(period="year") == [("红楼梦", 4), ("三体", 3)]
    assert _ranked(period="all") == [("红楼梦", 4), ("三体", 3), ("老书", 1)]


def test_rankings_by_library_subtree_reader_category_and_class(shelf):
    net = shelf.net
    novel, history = make_classed_record("平凡的世界", "I247.57"), make_classed_record("明朝那些事儿", "K248")
    when = NOW - timedelta(days=1)
    _lend(shelf, novel, when=when, library=net.county, category="child")
    _lend(shelf, novel, when=when, library=net.township, category="adult")
    _lend(shelf, history, when=when, library=net.other_county, category="adult")
    _lend(shelf, history, when=when, library=net.other_county, category="senior")

    assert _ranked(period="month", library=net.county) == [("平凡的世界", 2)]  # county and its township
    assert _ranked(period="month", library=net.township) == [("平凡的世界", 1)]
    assert _ranked(period="month", library=net.city) == [
        ("平凡的世界", 2),
        ("明朝那些事儿", 2),
    ]  # a tie: older record first
    assert _ranked(period="month", category="adult") == [("平凡的世界", 1), ("明朝那些事儿", 1)]
    assert _ranked(period="month", category="child") == [("平凡的世界", 1)]
    assert _ranked(period="month", clc="K") == [("明朝那些事儿", 2)]
    assert _ranked(period="month", library=net.other_county, category="senior", clc="K") == [("明朝那些事儿", 1)]


def test_renewals_returns_and_holds_are_not_loans(shelf):
    record, other = make_classed_record("围城"), make_classed_record("边城")
    loan = _lend(shelf, record, when=NOW - timedelta(days=6))
    circulation.renew(loan=loan, actor=None, now=NOW - timedelta(days=5))
    circulation.check_in(item=loan.item, library=shelf.net.county, actor=None, now=NOW - timedelta(days=4))
    _lend(shelf, other, when=NOW - timedelta(days=400))  # out since last year, so it may be booked
    circulation.place_hold(
        patron=shelf.reader(), record=other, pickup_library=shelf.net.county, actor=None, now=NOW - timedelta(days=3)
    )

    assert _ranked(period="month") == [("围城", 1)]


def test_the_quarter_begins_two_months_back_across_a_new_year():
    january = datetime(2027, 1, 10, 8, 0, tzinfo=SHANGHAI)

    assert lists.ranking_bounds("quarter", now=january) == (datetime(2026, 11, 1, tzinfo=SHANGHAI), None)
    assert lists.ranking_bounds("month", now=january) == (datetime(2027, 1, 1, tzinfo=SHANGHAI), None)
    assert lists.ranking_bounds("year", now=january) == (datetime(2027, 1, 1, tzinfo=SHANGHAI), None)
    assert lists.ranking_bounds("all", now=january) == (None, None)


def test_a_ranking_is_read_once_and_then_served_from_the_cache(shelf, django_assert_num_queries):
    _lend(shelf, make_classed_record("三体"), when=NOW - timedelta(days=1))
    assert _ranked(period="month") == [("三体", 1)]

    # a second look costs no GROUP BY: only the titles and their shelves (record, items, libraries)
    with django_assert_num_queries(3):
        assert _ranked(period="month") == [("三体", 1)]


def test_the_rankings_page_shows_titles_and_counts_and_nothing_about_readers(shelf, client):
    record = make_classed_record("三体")
    reader = shelf.reader(name="王小明", category="child")
    item = shelf.item(record)
    circulation.check_out(item=item, patron=reader, library=shelf.net.county, actor=None)

    page = client.get("/rankings/", {"category": "child", "library": "LN-SY"}).content.decode()

    assert f'href="/records/{record.pk}/"' in page and "借阅 1 次" in page
    assert "王小明" not in page and reader.card_number not in page
    assert client.get("/rankings/", {"period": "decade"}).status_code == 400
    assert client.get("/rankings/", {"category": "robot"}).status_code == 400


# -- book lists --------------------------------------------------------------------------------------------------


def _published(shelf, title, *entries, kind=Kind.STAFF_PICK, age_band="", publish=True):
    staff = getattr(shelf, "_list_staff", None) or make_list_staff(shelf.net)
    shelf._list_staff = staff
    book_list = booklists.create_list(
        library=shelf.net.county, title=title, kind=kind, age_band=age_band, actor=staff.county_cataloguer
    )
    for record, note in entries:
        booklists.add_entry(book_list=book_list, record=record, note=note, actor=staff.county_cataloguer)
    if publish:
        booklists.publish(book_list=book_list, actor=staff.county_cataloguer)
    return book_list


def test_readers_see_only_published_lists(shelf, client):
    record = make_classed_record("活着")
    shelf.item(record)
    published = _published(shelf, "馆员荐书：十一月", (record, "一部关于忍受的书。"))
    draft = _published(shelf, "还在编的书单", (record, "草稿"), publish=False)

    index = client.get("/lists/").content.decode()
    assert "馆员荐书：十一月" in index and "还在编的书单" not in index
    assert client.get(f"/lists/{draft.pk}/").status_code == 404
    assert client.get(f"/lists/{draft.pk}/feed/atom").status_code == 404

    booklists.unpublish(book_list=published, actor=shelf._list_staff.county_cataloguer)
    assert "馆员荐书：十一月" not in client.get("/lists/").content.decode()
    assert client.get(f"/lists/{published.pk}/").status_code == 404


def test_a_list_page_shows_its_titles_in_order_with_notes_and_shelves(shelf, client):
    first, second = make_classed_record("城南旧事"), make_classed_record("草房子")
    shelf.item(first)
    out = shelf.item(second)
    shelf.lend(shelf.reader(), out)
    book_list = _published(shelf, "少儿暑期书单", (first, "老北京的童年。"), (second, "油麻地的少年。"))

    page = client.get(f"/lists/{book_list.pk}/").content.decode()

    assert page.index("城南旧事") < page.index("草房子")
    assert "老北京的童年。" in page and "油麻地的少年。" in page
    assert "康平县图书馆 1/1" in page and "康平县图书馆 0/1" in page
    assert f'type="application/atom+xml" href="/lists/{book_list.pk}/feed/atom"' in page


def test_lists_by_kind(shelf, client):
    record = make_classed_record("活着")
    _published(shelf, "好书榜 2026", (record, ""), kind=Kind.BEST_BOOKS)
    _published(shelf, "十一月荐书", (record, ""))

    page = client.get("/lists/", {"kind": "best_books"}).content.decode()

    assert "好书榜 2026" in page and "十一月荐书" not in page
    assert client.get("/lists/", {"kind": "secret"}).status_code == 400


def test_list_text_is_escaped(shelf, client):
    record = make_classed_record("<b>粗体</b>书名")
    book_list = _published(shelf, "<script>alert(1)</script>", (record, "<img src=x onerror=alert(1)>' OR 1=1 --"))

    page = client.get(f"/lists/{book_list.pk}/").content.decode()
    index = client.get("/lists/").content.decode()

    for html in (page, index):
        assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in page and "&lt;img src=x" in page
    assert "<b>粗体</b>" not in page


def test_the_list_pages_speak_english_under_the_language_cookie(shelf, client):
    _arrive(shelf, make_classed_record("活着", "I247.5"), shelf.net.county, 3)
    client.cookies["django_language"] = "en"

    new = client.get("/new/").content.decode()
    rankings = client.get("/rankings/").content.decode()
    children = client.get("/children/").content.decode()

    assert "<h1>New arrivals</h1>" in new and '<option value="I">I Literature</option>' in new
    assert "<h1>Most borrowed</h1>" in rankings and "All readers" in rankings
    assert "<h1>Children's shelf</h1>" in children and "Ages 4–6" in children
