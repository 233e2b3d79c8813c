"""Alliance staff pages: the permission matrix, registering and withdrawing through the pages, the downloads."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from shelfmark.alliance import services
from shelfmark.alliance.models import LocalDocument
from shelfmark.alliance.tests.factories import region
from shelfmark.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGES = [
    "/staff/alliance/",
    "/staff/alliance/gaps/",
    "/staff/alliance/gaps.xlsx",
    "/staff/alliance/scorecard/?year=2025",
    "/staff/alliance/scorecard.xlsx?year=2025",
]


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("county_cataloguer", 200), ("city_cataloguer", 200), ("viewer", 200), ("superuser", 200), ("desk", 403)],
)
@pytest.mark.parametrize("page", PAGES)
def test_who_may_read_the_alliance_pages(alliance, who, status, page):
    response = _client(getattr(alliance, who)).get(page)
    assert response.status_code == status


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_visitors_are_sent_to_the_login(page):
    response = Client().get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def _form(alliance, **kw):
    data = {
        "library": alliance.net.county.pk,
        "region": region("210123").pk,
        "citation": "康平县文史资料 第一辑",
        "subjects": "文史；康平",
        "year_from": "1990",
        "year_to": "1995",
    }
    data.update(kw)
    return data


def test_a_cataloguer_registers_a_document_through_the_page(alliance):
    response = _client(alliance.county_cataloguer).post("/staff/alliance/", _form(alliance))
    assert response.status_code == 302
    document = LocalDocument.objects.get()
    assert (document.library, document.region.code, document.subjects) == (
        alliance.net.county,
        "210123",
        ["文史", "康平"],
    )
    assert (document.year_from, document.year_to) == (1990, 1995)
    page = _client(alliance.viewer).get("/staff/alliance/")
    assert "康平县文史资料 第一辑" in page.content.decode()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("desk", 403), ("county_cataloguer", 400)])
def test_registering_where_one_may_not_is_refused_and_changes_nothing(alliance, who, status):
    # a viewer and a desk may not register at all; the county cataloguer may not register for the city
    response = _client(getattr(alliance, who)).post("/staff/alliance/", _form(alliance, library=alliance.net.city.pk))
    assert response.status_code == status
    assert LocalDocument.objects.count() == 0
    assert not AuditEvent.objects.filter(kind__startswith="alliance.").exists()


def test_bad_years_come_back_on_the_form_naming_the_field(alliance):
    response = _client(alliance.county_cataloguer).post("/staff/alliance/", _form(alliance, year_to="1980"))
    assert response.status_code == 422
    assert "起始年 1990 晚于截止年 1980。" in response.content.decode()
    assert LocalDocument.objects.count() == 0


def _document(alliance):
    return services.register_local_document(
        library=alliance.net.county,
        region=region("210123"),
        citation="康平民俗",
        year_from=2001,
        actor=alliance.superuser,
    )


@pytest.mark.parametrize(
    ("who", "status"), [("county_cataloguer", 200), ("city_cataloguer", 200), ("viewer", 403), ("desk", 403)]
)
def test_who_may_open_a_document_for_change(alliance, who, status):
    document = _document(alliance)
    assert _client(getattr(alliance, who)).get(f"/staff/alliance/documents/{document.pk}/").status_code == status


def test_a_missing_document_is_404(alliance):
    assert _client(alliance.superuser).get("/staff/alliance/documents/999999/").status_code == 404


def test_withdrawing_through_the_page_and_a_refused_withdrawal(alliance):
    document = _document(alliance)
    refused = _client(alliance.viewer).post(f"/staff/alliance/documents/{document.pk}/withdraw/", {"reason": "x"})
    assert refused.status_code == 403
    document.refresh_from_db()
    assert document.withdrawn_at is None
    done = _client(alliance.county_cataloguer).post(
        f"/staff/alliance/documents/{document.pk}/withdraw/", {"reason": "重复"}
    )
    assert done.status_code == 302
    document.refresh_from_db()
    assert document.withdrawn_reason == "重复"


def test_the_gap_page_marks_empty_cells_and_the_download_holds_the_counts(alliance):
    services.register_local_document(
        library=alliance.net.county,
        region=region("210123"),
        citation="康平年鉴",
        year_from=2020,
        year_to=2021,
        actor=alliance.superuser,
    )
    client = _client(alliance.viewer)
    page = client.get("/staff/alliance/gaps/?from=2020&to=2022").content.decode()
    assert '<td>1</td><td>1</td><td class="gap">0</td>' in page
    book = load_workbook(io.BytesIO(client.get("/staff/alliance/gaps.xlsx?from=2020&to=2022").content))
    sheet = book["地方文献缺藏"]
    assert [c.value for c in sheet[1]] == [
        "区划代码",
        "地区",
        "2020年（种）",
        "2021年（种）",
        "2022年（种）",
        "合计（种·年）",
        "空白年数",
    ]
    shenyang = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "210100")
    assert shenyang == ("210100", "沈阳市", 1, 1, 0, 2, 1)
    assert sheet.freeze_panes == "A2"


def test_bad_report_parameters_are_a_422_page(alliance):
    response = _client(alliance.viewer).get("/staff/alliance/gaps/?from=2024&to=2020")
    assert response.status_code == 422
    assert _client(alliance.viewer).get("/staff/alliance/scorecard/?year=abc").status_code == 422


def test_the_scorecard_page_lists_each_indicator(alliance):
    page = _client(alliance.viewer).get("/staff/alliance/scorecard/?year=2025").content.decode()
    assert "2025 年度联盟绩效考评" in page
    assert "贡献书目数（条）" in page and "大连图书馆" in page
