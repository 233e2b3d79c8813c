"""Staff pages of book lists: compose, order, publish, with and without htmx, and refusals that change nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.booklists import services
from shelfmark.booklists.models import BookList, BookListEntry, Kind
from shelfmark.booklists.tests.factories import make_classed_record
from shelfmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _draft(net, staff, *titles: str, library=None) -> BookList:
    actor = staff.county_cataloguer if library is None else staff.city_admin
    book_list = services.create_list(
        library=library or net.county, title="康平县馆员荐书", kind=Kind.STAFF_PICK, actor=actor
    )
    for title in titles:
        services.add_entry(book_list=book_list, record=make_classed_record(title), actor=actor, note=f"推荐{title}")
    return book_list


def test_a_librarian_creates_a_list_for_a_library_they_may_compose(net, staff):
    client = _client(staff.county_desk)

    page = client.get("/staff/lists/").content.decode()
    # the library choice offers the county and its township, not the city
    assert "康平县图书馆" in page and "康平镇分馆" in page and "沈阳市图书馆" not in page

    response = client.post(
        "/staff/lists/",
        {"library": net.township.pk, "kind": Kind.CHILDREN, "title": "  暑期 少儿书单 ", "age_band": "7-9"},
    )

    book_list = BookList.objects.get()
    assert response.status_code == 303 and response["Location"] == f"/staff/lists/{book_list.pk}/"
    assert (book_list.title, book_list.library, book_list.kind, book_list.age_band, book_list.is_published) == (
        "暑期 少儿书单",
        net.township,
        "children",
        "7-9",
        False,
    )


def test_a_forged_library_is_refused_by_the_form_and_nothing_is_created(net, staff):
    client = _client(staff.county_desk)

    response = client.post("/staff/lists/", {"library": net.city.pk, "kind": Kind.STAFF_PICK, "title": "荐书"})

    assert response.status_code == 400
    assert 'id="library-errors"' in response.content.decode()
    assert not BookList.objects.exists()


def test_an_age_band_on_a_staff_pick_is_refused_naming_the_field(net, staff):
    client = _client(staff.county_desk)

    response = client.post(
        "/staff/lists/", {"library": net.county.pk, "kind": Kind.STAFF_PICK, "title": "荐书", "age_band": "4-6"}
    )

    assert response.status_code == 422
    assert "只有少儿书单才能设置适读年龄。" in response.content.decode()
    assert not BookList.objects.exists()


def test_a_viewer_and_a_reader_session_get_no_composer(net, staff):
    book_list = _draft(net, staff, "活着")

    assert _client(staff.viewer).get("/staff/lists/").status_code == 403
    assert _client(staff.viewer).get(f"/staff/lists/{book_list.pk}/").status_code == 403
    anonymous = Client().get(f"/staff/lists/{book_list.pk}/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/staff/login/")


def test_the_composer_finds_titles_and_adds_one_with_its_note(net, staff):
    book_list = _draft(net, staff)
    record = make_classed_record("额尔古纳河右岸")
    client = _client(staff.county_cataloguer)

    page = client.get(f"/staff/lists/{book_list.pk}/", {"q": "额尔古纳河"}).content.decode()
    assert f'name="record" value="{record.pk}"' in page

    response = client.post(
        f"/staff/lists/{book_list.pk}/entries/", {"record": record.pk, "note": "迟子建写鄂温克人的百年。"}
    )

    assert response.status_code == 303
    entry = BookListEntry.objects.get(book_list=book_list)
    assert (entry.record, entry.note, entry.position, entry.added_by) == (
        record,
        "迟子建写鄂温克人的百年。",
        1,
        staff.county_cataloguer,
    )


def test_htmx_moves_and_removes_swap_the_composer(net, staff):
    book_list = _draft(net, staff, "活着", "兄弟", "第七天")
    first, _second, third = book_list.entries.order_by("position")
    client = _client(staff.county_cataloguer)

    moved = client.post(f"/staff/lists/{book_list.pk}/entries/{third.pk}/move/", {"offset": "-1"}, headers=HTMX)
    assert moved.status_code == 200
    html = moved.content.decode()
    assert html.startswith('<section class="card" id="composer"')
    assert html.index("第七天") < html.index("兄弟")

    removed = client.post(f"/staff/lists/{book_list.pk}/entries/{first.pk}/remove/", headers=HTMX)
    assert "《活着》已移出书单。" in removed.content.decode()
    assert list(book_list.entries.order_by("position").values_list("record__title", "position")) == [
        ("第七天", 1),
        ("兄弟", 2),
    ]


def test_publishing_by_plain_post_and_the_refusal_of_an_empty_list(net, staff):
    client = _client(staff.county_cataloguer)
    empty, full = _draft(net, staff), _draft(net, staff, "活着")

    refused = client.post(f"/staff/lists/{empty.pk}/publish/")
    assert refused.status_code == 409
    assert "还没有书，不能发布。" in refused.content.decode()

    published = client.post(f"/staff/lists/{full.pk}/publish/")
    assert published.status_code == 303

    empty.refresh_from_db()
    full.refresh_from_db()
    assert (empty.is_published, full.is_published) == (False, True)


def test_a_refused_post_on_another_librarys_list_changes_nothing(net, staff):
    theirs = _draft(net, staff, "白鹿原", library=net.other_county)
    entry = theirs.entries.get()
    events = AuditEvent.objects.count()
    client = _client(staff.county_cataloguer)

    for url, data in [
        (f"/staff/lists/{theirs.pk}/", {"title": "改名"}),
        (f"/staff/lists/{theirs.pk}/publish/", {}),
        (f"/staff/lists/{theirs.pk}/entries/{entry.pk}/note/", {"note": "改过的"}),
        (f"/staff/lists/{theirs.pk}/entries/{entry.pk}/remove/", {}),
    ]:
        assert client.post(url, data).status_code == 403

    theirs.refresh_from_db()
    entry.refresh_from_db()
    assert (theirs.title, theirs.is_published, entry.note) == ("康平县馆员荐书", False, "推荐白鹿原")
    assert AuditEvent.objects.count() == events


def test_an_entry_id_of_another_list_is_not_found(net, staff):
    mine, other = _draft(net, staff, "活着"), _draft(net, staff, "兄弟")
    their_entry = other.entries.get()

    response = _client(staff.county_cataloguer).post(f"/staff/lists/{mine.pk}/entries/{their_entry.pk}/remove/")

    assert response.status_code == 404
    assert BookListEntry.objects.filter(pk=their_entry.pk).exists()


def test_user_supplied_text_is_escaped_on_the_composer(net, staff):
    book_list = _draft(net, staff)
    services.update_list(book_list=book_list, title="<script>alert(1)</script>", actor=staff.county_cataloguer)
    services.add_entry(
        book_list=book_list,
        record=make_classed_record("活着"),
        note="\"><img src=x onerror=alert(1)>' OR 1=1 --",
        actor=staff.county_cataloguer,
    )

    page = _client(staff.county_cataloguer).get(f"/staff/lists/{book_list.pk}/").content.decode()

    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
