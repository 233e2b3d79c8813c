"""RSS 2.0 and Atom feeds of new arrivals (with the page's filters) and of published book lists, read with lxml."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from shelfmark.booklists import services as booklists
from shelfmark.booklists.models import Kind
from shelfmark.booklists.tests.factories import make_classed_record, make_list_staff

pytestmark = pytest.mark.django_db

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def _arrive(shelf, title, clc, library, days_ago):
    record = make_classed_record(title, clc)
    shelf.item(record, library=library, now=timezone.now() - timedelta(days=days_ago))
    return record


def _xml(response) -> etree._Element:
    assert response.status_code == 200, response.content[:300]
    return etree.fromstring(response.content)


def test_the_new_arrivals_rss_lists_the_filtered_titles_linking_their_records(shelf, client):
    net = shelf.net
    novel = _arrive(shelf, "额尔古纳河右岸", "I247.5", net.county, 2)
    older = _arrive(shelf, "白鹿原", "I247.5", net.township, 5)
    _arrive(shelf, "中国通史", "K20", net.county, 1)
    _arrive(shelf, "城市书房的新书", "I247.5", net.other_county, 1)

    response = client.get("/new/feed/rss", {"library": "LN-SY-KP", "class": "I"})
    rss = _xml(response)

    assert response["Content-Type"].startswith("application/rss+xml")
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    assert rss.findtext("channel/title") == "新书通报 · 康平县图书馆 · I 文学"
    assert rss.findtext("channel/link") == "http://testserver/new/?library=LN-SY-KP&class=I"
    items = rss.findall("channel/item")
    assert [item.findtext("title") for item in items] == ["额尔古纳河右岸", "白鹿原"]
    assert [item.findtext("link") for item in items] == [
        f"http://testserver/records/{novel.pk}/",
        f"http://testserver/records/{older.pk}/",
    ]
    assert all(item.findtext("pubDate") for item in items)


def test_the_new_arrivals_atom_feed_parses_with_entries_and_alternate_links(shelf, client):
    record = _arrive(shelf, "额尔古纳河右岸", "I247.5", shelf.net.county, 2)
    _arrive(shelf, "老书", "I247.5", shelf.net.county, 200)

    response = client.get("/new/feed/atom", {"days": "90"})
    atom = _xml(response)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert atom.tag == "{http://www.w3.org/2005/Atom}feed"
    assert atom.findtext("a:title", namespaces=ATOM) == "新书通报 · 全省图书馆网络"
    entries = atom.findall("a:entry", namespaces=ATOM)
    assert [entry.findtext("a:title", namespaces=ATOM) for entry in entries] == ["额尔古纳河右岸"]
    link = entries[0].find("a:link", namespaces=ATOM)
    assert (link.get("rel"), link.get("href")) == ("alternate", f"http://testserver/records/{record.pk}/")
    assert entries[0].findtext("a:id", namespaces=ATOM) == f"http://testserver/records/{record.pk}/"


def test_a_bad_feed_choice_answers_400_naming_it(shelf, client):
    response = client.get("/new/feed/atom", {"library": "NOPE"})

    assert response.status_code == 400
    assert "NOPE" in response.content.decode()


def test_a_published_list_feed_has_its_titles_in_order_with_the_librarians_words(shelf, client):
    staff = make_list_staff(shelf.net)
    first, second = make_classed_record("城南旧事", "I287.45"), make_classed_record("草房子", "I287.45")
    book_list = booklists.create_list(
        library=shelf.net.county, title="少儿暑期书单", kind=Kind.CHILDREN, actor=staff.county_desk
    )
    booklists.add_entry(book_list=book_list, record=first, note="老北京的童年。", actor=staff.county_desk)
    booklists.add_entry(book_list=book_list, record=second, note="油麻地的少年。", actor=staff.county_desk)
    booklists.publish(book_list=book_list, actor=staff.county_desk)

    atom = _xml(client.get(f"/lists/{book_list.pk}/feed/atom"))
    rss = _xml(client.get(f"/lists/{book_list.pk}/feed/rss"))

    assert atom.findtext("a:title", namespaces=ATOM) == "少儿暑期书单 · 康平县图书馆"
    entries = atom.findall("a:entry", namespaces=ATOM)
    assert [entry.findtext("a:summary", namespaces=ATOM) for entry in entries] == ["老北京的童年。", "油麻地的少年。"]
    assert [entry.find("a:link", namespaces=ATOM).get("href") for entry in entries] == [
        f"http://testserver/records/{first.pk}/",
        f"http://testserver/records/{second.pk}/",
    ]
    assert [item.findtext("link") for item in rss.findall("channel/item")] == [
        f"http://testserver/records/{first.pk}/",
        f"http://testserver/records/{second.pk}/",
    ]
    assert rss.findtext("channel/link") == f"http://testserver/lists/{book_list.pk}/"


def test_an_unpublished_or_missing_list_has_no_feed(shelf, client):
    staff = make_list_staff(shelf.net)
    draft = booklists.create_list(library=shelf.net.county, title="草稿", kind=Kind.STAFF_PICK, actor=staff.county_desk)

    assert client.get(f"/lists/{draft.pk}/feed/rss").status_code == 404
    assert client.get("/lists/999999/feed/atom").status_code == 404
