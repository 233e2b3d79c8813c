"""A cataloguer logs in, imports a Chinese MARC file through the import page, and finds a record."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pymarc
import pytest
from django.apps import apps

from shelfmark.accounts import services as accounts
from shelfmark.accounts.models import Role
from shelfmark.libraries.tests.factories import make_network

# available_apps makes the flush after the test TRUNCATE ... CASCADE: the search index table (raw SQL,
# unknown to the ORM) references catalog_record, and PostgreSQL refuses to truncate it alone.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
]
SCREENSHOT_DIR = Path(os.environ.get("SHELFMARK_SCREENSHOT_DIR") or tempfile.gettempdir())


def _chinese_marcxml() -> bytes:
    """Three MARC21 records of Chinese books: pinyin in 100/245, the original script in linked 880s."""
    books = [
        ("Liaoning tong shi", "辽宁通史", "Zhang, San", "张三", "9787205012342"),
        ("Shenyang gu gong", "沈阳故宫", "Li, Si", "李四", "9787205000011"),
        ("Tu shu guan xue gai lun", "图书馆学概论", "Wang, Wu", "王五", "9787303000029"),
    ]
    out = io.BytesIO()
    writer = pymarc.XMLWriter(out)
    for n, (title_pinyin, title, name_pinyin, name, isbn) in enumerate(books, start=1):
        record = pymarc.Record(force_utf8=True, leader="00000nam a2200000 a 4500")
        record.add_field(
            pymarc.Field(tag="001", data=f"browser-{n}"),
            pymarc.Field(tag="008", data="190101s2019    cc            000 0 chi d"),
            _field("020", "  ", ("a", isbn)),
            _field("100", "1 ", ("6", "880-01"), ("a", name_pinyin)),
            _field("245", "10", ("6", "880-02"), ("a", title_pinyin)),
            _field("880", "1 ", ("6", "100-01/$1"), ("a", name)),
            _field("880", "10", ("6", "245-02/$1"), ("a", title)),
        )
        writer.write(record)
    writer.close(close_fh=False)
    return out.getvalue()


def _field(tag: str, indicators: str, *subfields: tuple[str, str]) -> pymarc.Field:
    return pymarc.Field(
        tag=tag,
        indicators=pymarc.Indicators(indicators[0], indicators[1]),
        subfields=[pymarc.Subfield(code, value) for code, value in subfields],
    )


def test_a_cataloguer_imports_a_file_and_finds_a_record(live_server, page, tmp_path):
    # given the network and a provincial cataloguer, and a Chinese MARCXML file on their disk
    net = make_network()
    accounts.create_staff(username="ln", password="pw-123456", library=net.province, roles=[Role.CATALOGUER])
    upload = tmp_path / "chinese.xml"
    upload.write_bytes(_chinese_marcxml())

    # when they log in
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("#id_username", "ln")
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/staff/")

    # and import the file through the import page
    page.click("nav >> text=MARC 导入")
    page.set_input_files("#id_file", str(upload))
    page.select_option("#id_library", "LN")
    page.click("text=开始导入")
    status = page.locator('#import-status[data-status="done"]')
    status.wait_for()

    # then the job reports three records read and created, none rejected
    assert status.locator("dd.read").inner_text() == "3"
    assert status.locator("dd.created").inner_text() == "3"
    assert status.locator("dd.rejected").inner_text() == "0"

    # when they search the catalogue for a Chinese word and open the hit
    page.click("nav >> text=书目")
    page.fill("input[name=q]", "故宫")
    page.press("input[name=q]", "Enter")
    page.click("ol.hits a.title")

    # then the record shows its original script first, the pinyin after, and its MARC
    assert page.locator("h1").inner_text() == "沈阳故宫"
    assert page.locator("main p.muted").first.inner_text() == "Shenyang gu gong"
    assert "880 10 $6245-02/$1 $a沈阳故宫" in page.locator("pre.marc").inner_text()
    page.screenshot(path=str(SCREENSHOT_DIR / "shelfmark-record-detail.png"), full_page=True)
