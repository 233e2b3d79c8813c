"""Desk home: the clerk chooses where they work from their grants; forged places and missing grants are refused."""

from __future__ import annotations

import pytest
from django.test import Client

from shelfmark.circulation.models import Loan
from shelfmark.libraries.models import ServicePoint

pytestmark = pytest.mark.django_db

DESK = "/staff/circulation/"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_desk_offers_only_the_libraries_of_the_clerks_grants_and_remembers_the_choice(desk):
    # given a clerk with the circulation role at the city (the city and its counties, not the province)
    client = _as(desk.clerk)

    # when they open the desk
    page = client.get(DESK).content.decode()

    # then the city subtree is offered and the province is not
    assert 'value="LN-SY"' in page and 'value="LN-SY-KP"' in page and 'value="LN-SY-FK"' in page
    assert 'value="LN"' not in page

    # when they choose the county
    chosen = client.post(DESK, {"library": "LN-SY-KP"})

    # then they go to check-out, and every desk page names the county
    assert (chosen.status_code, chosen["Location"]) == (302, "/staff/circulation/checkout/")
    assert client.session["circulation_desk"] == {"library": desk.net.county.pk, "service_point": None}
    assert "康平县图书馆" in client.get("/staff/circulation/checkin/").content.decode()


def test_a_forged_library_is_refused_and_the_place_stays_as_it_was(desk):
    # given a city clerk working at the county
    client = _as(desk.clerk)
    client.post(DESK, {"library": "LN-SY-KP"})

    # when a forged form names the province, where they have no grant, or a library that does not exist
    province = client.post(DESK, {"library": "LN"})
    unknown = client.post(DESK, {"library": "NO-SUCH"})

    # then each is refused with a message beside the field, and the place is still the county
    assert province.status_code == 400
    assert "您没有在 辽宁省图书馆 办理流通的权限。" in province.content.decode()
    assert unknown.status_code == 400
    assert "没有代码为 NO-SUCH 的图书馆。" in unknown.content.decode()
    assert client.session["circulation_desk"]["library"] == desk.net.county.pk


def test_a_service_point_of_another_library_is_refused(desk):
    elsewhere = ServicePoint.objects.create(library=desk.net.other_county, code="FK-DESK", name="法库总服务台")
    here = ServicePoint.objects.create(library=desk.net.county, code="KP-DESK", name="康平总服务台")
    client = _as(desk.clerk)

    refused = client.post(DESK, {"library": "LN-SY-KP", "service_point": "FK-DESK"})
    accepted = client.post(DESK, {"library": "LN-SY-KP", "service_point": "KP-DESK"})

    assert refused.status_code == 400
    assert "康平县图书馆 没有代码为 FK-DESK 的服务点。" in refused.content.decode()
    assert accepted.status_code == 302
    assert client.session["circulation_desk"] == {"library": desk.net.county.pk, "service_point": here.pk}
    assert elsewhere.pk != here.pk


def test_desk_pages_send_a_clerk_without_a_place_to_choose_one_then_back(desk):
    client = _as(desk.clerk)

    first = client.get("/staff/circulation/checkin/")

    assert first.status_code == 302
    assert first["Location"] == "/staff/circulation/?next=%2Fstaff%2Fcirculation%2Fcheckin%2F"
    back = client.post(DESK, {"library": "LN-SY-FK", "next": "/staff/circulation/checkin/"})
    assert back["Location"] == "/staff/circulation/checkin/"
    offsite = client.post(DESK, {"library": "LN-SY-FK", "next": "https://evil.example/"})
    assert offsite["Location"] == "/staff/circulation/checkout/"


def test_staff_without_circulation_operate_cannot_use_the_desk(desk):
    # given a viewer (may look readers up, may not lend) and a reader with a copy to borrow
    reader, item = desk.reader(), desk.item()
    client = _as(desk.viewer)

    # when they open the desk, forge a place, and post a check-out without a place
    home = client.get(DESK)
    forged = client.post(DESK, {"library": "LN-SY-KP"})
    lend = client.post(f"/staff/circulation/readers/{reader.pk}/checkout/", {"scan": item.barcode})

    # then the desk says they have no circulation grant, and nothing was lent
    assert home.status_code == 403
    assert "您在任何图书馆都没有流通权限。" in home.content.decode()
    assert forged.status_code == 400
    assert "circulation_desk" not in client.session
    assert lend.status_code == 302 and lend["Location"].startswith("/staff/circulation/?next=")
    assert not Loan.objects.exists()


def test_a_place_kept_in_the_session_stops_working_when_the_grant_is_gone(desk):
    # given a viewer whose session was given a desk place directly (as if a grant had been withdrawn since)
    reader, item = desk.reader(), desk.item()
    client = _as(desk.viewer)
    session = client.session
    session["circulation_desk"] = {"library": desk.net.county.pk, "service_point": None}
    session.save()

    # when they post a check-out
    lend = client.post(f"/staff/circulation/readers/{reader.pk}/checkout/", {"scan": item.barcode})

    # then they are sent to choose a place, and nothing was lent
    assert lend.status_code == 302 and lend["Location"].startswith("/staff/circulation/?next=")
    assert not Loan.objects.exists()


def test_anonymous_visitors_go_to_the_staff_login(client):
    response = client.get(DESK)

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_htmx_posts_without_a_place_are_redirected_by_header_and_refusals_come_as_a_line(desk):
    reader, item = desk.reader(), desk.item()
    client = _as(desk.clerk)

    without_place = client.post(
        f"/staff/circulation/readers/{reader.pk}/checkout/", {"scan": item.barcode}, HTTP_HX_REQUEST="true"
    )
    client.post(DESK, {"library": "LN-SY-KP"})
    missing_reader = client.post(
        "/staff/circulation/readers/999999/checkout/", {"scan": item.barcode}, HTTP_HX_REQUEST="true"
    )

    assert without_place.status_code == 204
    assert without_place["HX-Redirect"].startswith("/staff/circulation/?next=")
    assert missing_reader.status_code == 404
    assert missing_reader.content.decode().startswith(
        '<p class="card error" role="alert" data-code="patron_not_found">'
    )
    assert not Loan.objects.exists()


def test_the_desk_pages_render_in_english_too(desk):
    reader = desk.reader()
    client = _as(desk.clerk)
    client.post(DESK, {"library": "LN-SY-KP"})
    client.cookies["django_language"] = "en"

    for url in ("/staff/circulation/", f"/staff/circulation/readers/{reader.pk}/", "/staff/circulation/checkin/"):
        response = client.get(url)

        assert response.status_code == 200
        assert response["Content-Language"] == "en"
