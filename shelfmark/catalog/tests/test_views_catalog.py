"""Staff catalogue pages: the record list with search and facets, the record detail, the MARC import."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shelfmark.catalog import services
from shelfmark.catalog.models import ImportJob, Record
from shelfmark.catalog.tests.conftest import MARC_DIR
from shelfmark.catalog.tests.web_fixtures import marc_json

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (MARC_DIR / name).read_bytes())


def test_the_list_finds_records_and_offers_facets(net, staff):
    # given two records, one Chinese with pinyin in 245 and the script in 880
    services.create_record(
        marc=marc_json("辽宁地方志研究", romanized="Liaoning di fang zhi yan jiu"),
        marc_format="auto",
        library=net.county,
        actor=None,
    )
    services.create_record(
        marc=marc_json("沈阳故宫", isbn="9787205000011", control_number="sm-0002"),
        marc_format="auto",
        library=net.county,
        actor=None,
    )

    # when a viewer searches for one of them
    response = _as(staff.viewer).get("/staff/catalog/", {"q": "地方志"})

    # then the hit shows the original script first, the pinyin after, and the facets
    html = response.content.decode()
    assert response.status_code == 200
    assert "辽宁地方志研究" in html
    assert "沈阳故宫" not in html
    assert html.index("辽宁地方志研究") < html.index("Liaoning di fang zhi yan jiu")
    assert "共 1 条" in html
    assert 'class="facets' in html


def test_an_empty_query_lists_the_catalogue_in_pages(net, staff):
    for n in range(25):
        services.create_record(
            marc=marc_json(f"书名{n:02d}", isbn="", control_number=f"c{n}"),
            marc_format="auto",
            library=None,
            actor=None,
        )

    first = _as(staff.viewer).get("/staff/catalog/").content.decode()
    second = _as(staff.viewer).get("/staff/catalog/", {"page": 2}).content.decode()

    assert "共 25 条" in first
    assert len(re.findall(r'<a class="title"', first)) == 20
    assert len(re.findall(r'<a class="title"', second)) == 5
    assert "第 2 / 2 页" in second


def test_the_detail_shows_fields_script_first_and_the_marc(net, staff):
    # given a Chinese MARC21 record with romanised 245 and the original script in 880
    record = services.create_record(
        marc=marc_json("辽宁地方志研究", romanized="Liaoning di fang zhi yan jiu"),
        marc_format="auto",
        library=net.county,
        actor=None,
    )

    # when a viewer opens it
    response = _as(staff.viewer).get(f"/staff/catalog/{record.pk}/")

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>辽宁地方志研究</h1>", html)
    assert html.index("辽宁地方志研究") < html.index("Liaoning di fang zhi yan jiu")
    assert "<b>245</b> 10 $6880-01 $aLiaoning di fang zhi yan jiu" in html
    assert "<b>880</b> 10 $6245-01/$1 $a辽宁地方志研究" in html
    assert "康平县图书馆 (LN-SY-KP)" in html


def test_a_missing_record_is_a_404_page(staff):
    response = _as(staff.viewer).get("/staff/catalog/999999/")

    assert response.status_code == 404
    assert "No record with id 999999." in response.content.decode()


def test_a_logged_in_user_without_a_role_is_refused(net):
    from shelfmark.accounts import services as accounts

    nobody = accounts.create_staff(username="nobody", password="pw-123456", library=net.county, roles=[])

    response = _as(nobody).get("/staff/catalog/")

    assert response.status_code == 403
    assert "Permission catalog.view is not granted." in response.content.decode()


def test_the_import_form_offers_only_libraries_the_user_may_import_into(net, staff):
    html = _as(staff.cataloguer).get("/staff/catalog/import/").content.decode()

    options = re.findall(r'<option value="([^"]*)"', html.split('name="library"')[1].split("</select>")[0])
    assert options == ["LN-SY-KP", "LN-SY-KP-01"]


def test_a_viewer_cannot_open_the_import_page(staff):
    response = _as(staff.viewer).get("/staff/catalog/import/")

    assert response.status_code == 403


def test_an_upload_runs_the_import_and_reports_counts(net, staff, django_capture_on_commit_callbacks):
    # given a cataloguer of the county and a MARCXML file of two records
    client = _as(staff.cataloguer)

    # when they upload it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/catalog/import/",
            {
                "file": _upload("batch.xml"),
                "marc_format": "auto",
                "encoding": "auto",
                "match": "isbn",
                "library": "LN-SY-KP",
            },
        )

    # then the job ran, its page shows the counts, and the records belong to the county
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/catalog/import/{job.pk}/"
    assert (job.status, job.read, job.created, job.rejected) == ("done", 2, 2, 0)
    assert job.processed_bytes == job.total_bytes == (MARC_DIR / "batch.xml").stat().st_size
    assert Record.objects.filter(library=net.county).count() == 2
    html = client.get(response["Location"]).content.decode()
    assert 'data-status="done"' in html
    assert '<dd class="created">2</dd>' in html
    assert "hx-trigger" not in html


def test_rejected_records_are_listed_with_position_and_reason(net, staff, django_capture_on_commit_callbacks):
    client = _as(staff.root_cataloguer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/catalog/import/",
            {
                "file": _upload("bad_records.mrc"),
                "marc_format": "auto",
                "encoding": "auto",
                "match": "none",
                "library": "",
            },
        )

    job = ImportJob.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert (job.status, job.created, job.rejected) == ("done", 2, 7)
    assert len(re.findall(r"<tr><td>\d+", html)) == 7
    first = job.rejects[0]
    assert f"<tr><td>{first['position']}" in html


def test_a_running_job_polls_its_status_every_second(net, staff):
    job = ImportJob.objects.create(
        file_name="big.mrc", status="running", total_bytes=1000, processed_bytes=250, actor=staff.cataloguer
    )

    html = _as(staff.cataloguer).get(f"/staff/catalog/import/{job.pk}/status/").content.decode()

    assert f'hx-get="/staff/catalog/import/{job.pk}/status/" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    assert '<progress max="1000" value="250">' in html
    assert "250 / 1000" in html


def test_someone_elses_job_outside_ones_subtree_is_refused(net, staff):
    job = ImportJob.objects.create(file_name="fk.mrc", library=net.other_county, actor=staff.superuser)

    response = _as(staff.cataloguer).get(f"/staff/catalog/import/{job.pk}/")

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("field", "forged"),
    [("marc_format", "ukmarc"), ("encoding", "latin-1"), ("match", "title"), ("library", "LN-SY-FK"), ("library", "")],
)
def test_forged_form_fields_get_a_form_error_and_nothing_is_queued(staff, field, forged):
    # given the county cataloguer and otherwise valid options
    data = {
        "file": _upload("batch.xml"),
        "marc_format": "auto",
        "encoding": "auto",
        "match": "isbn",
        "library": "LN-SY-KP",
    }
    data[field] = forged

    # when one field carries a value the form never offered
    response = _as(staff.cataloguer).post("/staff/catalog/import/", data)

    # then the form says which field is wrong and no job was made
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="{field}-errors"' in html
    assert ImportJob.objects.count() == 0
    assert Record.objects.count() == 0


def test_an_upload_without_a_file_is_a_form_error(staff):
    response = _as(staff.cataloguer).post(
        "/staff/catalog/import/", {"marc_format": "auto", "encoding": "auto", "match": "isbn", "library": "LN-SY-KP"}
    )

    assert response.status_code == 400
    assert 'id="file-errors"' in response.content.decode()
    assert ImportJob.objects.count() == 0
