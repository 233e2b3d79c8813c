"""Book-list services: who may compose and publish for which library, what each write leaves, and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from shelfmark.booklists import services
from shelfmark.booklists.errors import EmptyListNotPublished, EntryNotFound, RecordAlreadyListed
from shelfmark.booklists.models import BookList, BookListEntry, Kind
from shelfmark.booklists.tests.factories import make_classed_record
from shelfmark.core.errors import InvalidInput, PermissionDenied
from shelfmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _list(net, staff, **kw):
    kw.setdefault("library", net.county)
    kw.setdefault("title", "康平县图书馆馆员荐书")
    kw.setdefault("kind", Kind.STAFF_PICK)
    kw.setdefault("actor", staff.county_cataloguer)
    return services.create_list(**kw)


def _state(book_list):
    """Everything a refused write must leave as it was."""
    book_list.refresh_from_db()
    rows = list(BookListEntry.objects.filter(book_list=book_list).values_list("record_id", "position", "note"))
    return (book_list.title, book_list.is_published, book_list.published_at, rows, AuditEvent.objects.count())


@pytest.mark.parametrize(
    ("who", "where", "allowed"),
    [
        ("county_cataloguer", "county", True),
        ("county_cataloguer", "township", True),
        ("county_cataloguer", "other_county", False),
        ("county_cataloguer", "city", False),
        ("county_desk", "county", True),
        ("county_desk", "township", True),
        ("county_desk", "city", False),
        ("city_admin", "city", True),
        ("city_admin", "other_county", True),
        ("city_admin", "province", False),
        ("viewer", "county", False),
        ("viewer", "province", False),
        ("superuser", "province", True),
    ],
)
def test_who_may_create_and_publish_a_list_for_which_library(net, staff, who, where, allowed):
    # given a staff member and a library of the network
    actor, library = getattr(staff, who), getattr(net, where)
    record = make_classed_record("额尔古纳河右岸")
    events_before = AuditEvent.objects.count()

    if allowed:
        # when they compose and publish a list there, then it is published with their name on it
        book_list = services.create_list(library=library, title="荐书", kind=Kind.STAFF_PICK, actor=actor, now=NOW)
        services.add_entry(book_list=book_list, record=record, actor=actor, note="一部写给鄂温克人的史诗。", now=NOW)
        services.publish(book_list=book_list, actor=actor, now=NOW)
        book_list.refresh_from_db()
        assert (book_list.is_published, book_list.published_at, book_list.created_by) == (True, NOW, actor)
    else:
        # when they try, then they are refused by name and nothing is written
        with pytest.raises(PermissionDenied) as refused:
            services.create_list(library=library, title="荐书", kind=Kind.STAFF_PICK, actor=actor, now=NOW)
        assert library.code in refused.value.message
        assert refused.value.field == "library"
        assert not BookList.objects.exists()
        assert AuditEvent.objects.count() == events_before


def test_anonymous_and_no_actor_may_not_compose(net):
    for actor in (AnonymousUser(), None):
        with pytest.raises(PermissionDenied):
            services.create_list(library=net.county, title="荐书", kind=Kind.STAFF_PICK, actor=actor)
    assert not BookList.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "county_cataloguer"])
def test_a_refused_change_of_another_librarys_list_changes_nothing(net, staff, who):
    # given a published list of the other county, composed by the city's administrator
    record, other = make_classed_record("平凡的世界"), make_classed_record("白鹿原")
    book_list = _list(net, staff, library=net.other_county, actor=staff.city_admin)
    entry = services.add_entry(book_list=book_list, record=record, actor=staff.city_admin, note="原来的推荐语")
    services.publish(book_list=book_list, actor=staff.city_admin)
    before = _state(book_list)
    actor = getattr(staff, who)

    # when someone without a grant there tries every write, then each is refused and nothing changes
    attempts = [
        lambda: services.update_list(book_list=book_list, actor=actor, title="改名"),
        lambda: services.add_entry(book_list=book_list, record=other, actor=actor),
        lambda: services.set_note(entry=entry, note="改过的", actor=actor),
        lambda: services.remove_entry(entry=entry, actor=actor),
        lambda: services.reorder(book_list=book_list, entry_ids=[entry.pk], actor=actor),
        lambda: services.move_entry(entry=entry, offset=1, actor=actor),
        lambda: services.unpublish(book_list=book_list, actor=actor),
        lambda: services.publish(book_list=book_list, actor=actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert _state(book_list) == before


def test_each_write_leaves_an_audit_event_naming_actor_and_list(net, staff):
    actor = staff.county_desk
    first, second = make_classed_record("城南旧事", "I287.45"), make_classed_record("草房子", "I287.45")

    book_list = _list(net, staff, actor=actor, kind=Kind.CHILDREN, age_band="10-12", now=NOW)
    one = services.add_entry(book_list=book_list, record=first, actor=actor, note="老北京的童年。", now=NOW)
    two = services.add_entry(book_list=book_list, record=second, actor=actor, now=NOW)
    services.set_note(entry=two, note="油麻地的少年。", actor=actor, now=NOW)
    services.reorder(book_list=book_list, entry_ids=[two.pk, one.pk], actor=actor, now=NOW)
    services.update_list(book_list=book_list, title="少儿暑期书单", actor=actor, now=NOW)
    services.publish(book_list=book_list, actor=actor, now=NOW)
    services.unpublish(book_list=book_list, actor=actor, now=NOW)
    services.remove_entry(entry=one, actor=actor, now=NOW)

    rows = list(
        AuditEvent.objects.filter(kind__startswith="booklist.")
        .order_by("id")
        .values_list("kind", "actor_id", "object_type", "object_id", "created_at")
    )
    assert [row[0] for row in rows] == [
        "booklist.created",
        "booklist.entry_added",
        "booklist.entry_added",
        "booklist.note_changed",
        "booklist.reordered",
        "booklist.updated",
        "booklist.published",
        "booklist.unpublished",
        "booklist.entry_removed",
    ]
    assert {row[1:] for row in rows} == {(actor.pk, "booklists.booklist", str(book_list.pk), NOW)}
    reordered = AuditEvent.objects.get(kind="booklist.reordered")
    assert reordered.data == {"entries": [two.pk, one.pk]}


def test_entries_keep_their_order_through_adds_moves_and_removals(net, staff):
    actor = staff.county_cataloguer
    book_list = _list(net, staff)
    records = [make_classed_record(title) for title in ("活着", "许三观卖血记", "兄弟", "第七天")]
    entries = [services.add_entry(book_list=book_list, record=record, actor=actor) for record in records]

    def titles() -> list[str]:
        return [entry.record.title for entry in book_list.entries.select_related("record").order_by("position")]

    assert titles() == ["活着", "许三观卖血记", "兄弟", "第七天"]

    services.move_entry(entry=entries[3], offset=-2, actor=actor)
    assert titles() == ["活着", "第七天", "许三观卖血记", "兄弟"]

    services.move_entry(entry=entries[0], offset=-1, actor=actor)  # already first: stays
    services.move_entry(entry=entries[2], offset=5, actor=actor)  # past the end: last
    assert titles() == ["活着", "第七天", "许三观卖血记", "兄弟"]

    services.remove_entry(entry=entries[3], actor=actor)
    assert titles() == ["活着", "许三观卖血记", "兄弟"]
    positions = list(book_list.entries.order_by("position").values_list("position", flat=True))
    assert positions == [1, 2, 3]


def test_a_title_is_listed_once(net, staff):
    actor = staff.county_cataloguer
    book_list = _list(net, staff)
    record = make_classed_record("呼兰河传")
    services.add_entry(book_list=book_list, record=record, actor=actor, note="第一次")
    before = _state(book_list)

    with pytest.raises(RecordAlreadyListed) as refused:
        services.add_entry(book_list=book_list, record=record, actor=actor, note="第二次")

    assert refused.value.message == "《呼兰河传》已经在这个书单里了。"
    assert (refused.value.code, refused.value.field, refused.value.status) == ("record_already_listed", "record", 409)
    assert _state(book_list) == before


def test_an_empty_list_is_not_published(net, staff):
    book_list = _list(net, staff, title="空书单")
    before = _state(book_list)

    with pytest.raises(EmptyListNotPublished) as refused:
        services.publish(book_list=book_list, actor=staff.county_cataloguer)

    assert refused.value.message == "书单“空书单”还没有书，不能发布。"
    assert _state(book_list) == before


def test_publishing_twice_keeps_the_first_publication_time(net, staff):
    actor = staff.county_cataloguer
    book_list = _list(net, staff)
    services.add_entry(book_list=book_list, record=make_classed_record("生死疲劳"), actor=actor)
    services.publish(book_list=book_list, actor=actor, now=NOW)

    services.publish(book_list=book_list, actor=actor, now=NOW + timedelta(days=1))

    book_list.refresh_from_db()
    assert book_list.published_at == NOW
    assert AuditEvent.objects.filter(kind="booklist.published").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "书" * 201}, "title"),
        ({"kind": "favourites"}, "kind"),
        ({"kind": Kind.STAFF_PICK, "age_band": "4-6"}, "age_band"),
        ({"kind": Kind.CHILDREN, "age_band": "0-99"}, "age_band"),
        ({"description": "字" * 2001}, "description"),
    ],
)
def test_bad_list_input_is_refused_naming_the_field(net, staff, fields, field):
    with pytest.raises(InvalidInput) as refused:
        _list(net, staff, **fields)

    assert refused.value.field == field
    assert not BookList.objects.exists()


def test_a_reorder_must_name_every_entry_once(net, staff):
    actor = staff.county_cataloguer
    book_list = _list(net, staff)
    one, two = (
        services.add_entry(book_list=book_list, record=make_classed_record(title), actor=actor)
        for title in ("围城", "边城")
    )
    before = _state(book_list)

    for wrong in ([one.pk], [one.pk, one.pk], [one.pk, two.pk, 999999]):
        with pytest.raises(InvalidInput) as refused:
            services.reorder(book_list=book_list, entry_ids=wrong, actor=actor)
        assert refused.value.field == "entries"
    assert _state(book_list) == before


def test_a_long_note_is_refused_and_the_entry_is_not_added(net, staff):
    book_list, record = _list(net, staff), make_classed_record("长恨歌")
    before = _state(book_list)

    with pytest.raises(InvalidInput) as refused:
        services.add_entry(book_list=book_list, record=record, actor=staff.county_cataloguer, note="好" * 501)

    assert refused.value.field == "note"
    assert refused.value.message == "推荐语有 501 个字，最多 500 个。"
    assert _state(book_list) == before


def test_an_entry_of_another_list_is_not_touched(net, staff):
    actor = staff.county_cataloguer
    mine, theirs = _list(net, staff, title="甲"), _list(net, staff, title="乙")
    entry = services.add_entry(book_list=theirs, record=make_classed_record("秦腔"), actor=actor)
    entry.book_list = mine  # a forged pairing: the entry is looked up inside the list it claims

    with pytest.raises(EntryNotFound):
        services.remove_entry(entry=entry, actor=actor)

    assert BookListEntry.objects.filter(pk=entry.pk, book_list=theirs).exists()
