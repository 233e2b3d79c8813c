"""The public record page: full description, copies in every library, similar titles, share link, QR, JSON-LD."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.test import Client

from shelfmark.catalog.models import Record
from shelfmark.catalog.search.index import index_records
from shelfmark.catalog.text import title_key
from shelfmark.holdings.models import ItemStatus
from shelfmark.holdings.tests.factories import make_record

pytestmark = pytest.mark.django_db


def catalogue(title: str, **fields) -> Record:
    """A record with the Record's columns set directly and a small MARC21 record for what only MARC holds."""
    marc = fields.pop("marc", {"leader": "00000nam a2200000 a 4500", "fields": []})
    fields.setdefault("marc_format", "marc21")
    record = Record.objects.create(title=title, title_key=title_key(title), marc=marc, **fields)
    index_records([record])
    return record


def json_ld(page: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


@pytest.fixture
def dream():
    marc = {
        "leader": "00000nam a2200000 a 4500",
        "fields": [
            {"250": {"ind1": " ", "ind2": " ", "subfields": [{"a": "第3版"}]}},
            {"300": {"ind1": " ", "ind2": " ", "subfields": [{"a": "1606页 ;"}, {"c": "21 cm"}]}},
            {"490": {"ind1": "0", "ind2": " ", "subfields": [{"a": "中国古典文学读本丛书"}]}},
            {"500": {"ind1": " ", "ind2": " ", "subfields": [{"a": "据程甲本排印"}]}},
        ],
    }
    return catalogue(
        "红楼梦", authors=["曹雪芹", "高鹗"], responsibility="曹雪芹, 高鹗著", publisher="人民文学出版社", place="北京",
        year=2008, isbn="9787020002207", isbns=["9787020002207"], clc_class="I242.47", language="chi",
        subjects=["章回小说--中国--清代"], other_titles=["石头记"], marc=marc,
    )  # fmt: skip


def test_the_page_describes_every_field_of_the_title(shelf, dream):
    page = Client().get(f"/records/{dream.pk}/").content.decode()
    for text in ["红楼梦", "石头记", "曹雪芹, 高鹗著", "高鹗", "第3版", "北京：人民文学出版社，2008", "1606页 ; 21 cm",
                 "中国古典文学读本丛书", "章回小说--中国--清代", "I242.47", "9787020002207", "中文", "纸本图书",
                 "据程甲本排印"]:  # fmt: skip
        assert text in page, text
    # a placeholder cover drawn from the title, with no request to another site
    assert '<div class="cover" aria-hidden="true"><span class="cover-title">红楼梦</span>' in page
    assert not re.search(r'(src|href)="https?://', page)


def test_copies_in_every_library_show_status_call_number_place_and_due_date_but_never_the_borrower(shelf, dream):
    # given copies at the county (one lent out), the city and the township, and one withdrawn
    shelf.item(dream, call_number="I242.47/1", shelving_location="二楼文学区")
    shelf.item(dream, library=shelf.net.city, call_number="I242.47/2")
    shelf.item(dream, library=shelf.net.township, call_number="I242.47/3")
    shelf.item(dream, library=shelf.net.other_county, status=ItemStatus.WITHDRAWN, call_number="I242.47/9")
    borrower = shelf.reader(name="王借书")
    loan = shelf.lend(borrower, shelf.item(dream, call_number="I242.47/4"))
    # when anyone opens the record page
    page = Client().get(f"/records/{dream.pk}/").content.decode()
    # then every library holding a copy is listed with its call numbers, place, status and due date
    for text in ["康平县图书馆", "沈阳市图书馆", "康平镇分馆", "二楼文学区", "I242.47/1", "I242.47/2", "I242.47/3", "在架",
                 "借出", f"应还 {loan.due_on.isoformat()}"]:  # fmt: skip
        assert text in page, text
    assert "I242.47/9" not in page and "法库县图书馆" not in page
    # and nothing says who has the lent copy
    assert "王借书" not in page and borrower.card_number not in page


def test_json_ld_describes_the_book_for_search_engines(shelf, dream, settings):
    settings.SHELFMARK_BASE_URL = "https://opac.example.cn"
    data = json_ld(Client().get(f"/records/{dream.pk}/").content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Book"
    assert data["name"] == "红楼梦"
    assert data["author"] == [{"@type": "Person", "name": "曹雪芹"}, {"@type": "Person", "name": "高鹗"}]
    assert data["isbn"] == "9787020002207"
    assert data["publisher"] == {"@type": "Organization", "name": "人民文学出版社", "location": "北京"}
    assert (data["datePublished"], data["inLanguage"]) == ("2008", "zh")
    assert data["url"] == f"https://opac.example.cn/records/{dream.pk}/"


def test_a_title_that_tries_to_end_the_script_is_escaped_everywhere(shelf):
    # given a record whose title and author carry markup
    evil = "</script><script>alert(1)</script>"
    record = catalogue(evil, authors=['"><img src=x onerror=alert(2)>'], publisher="<b>&</b>")
    # when its page is shown
    page = Client().get(f"/records/{record.pk}/").content.decode()
    # then no markup of theirs is live: the HTML escapes it, the JSON-LD holds it as \u escapes and parses back
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page and "<b>&</b>" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    data = json_ld(page)
    assert data["name"] == evil and data["author"][0]["name"] == '"><img src=x onerror=alert(2)>'
    assert data["publisher"]["name"] == "<b>&</b>"


def test_similar_titles_share_the_class_then_its_broader_class(shelf, dream):
    same = catalogue("红楼梦新证", clc_class="I242.47")
    broader = catalogue("儒林外史", clc_class="I242.4")
    other = catalogue("三体", clc_class="I247.55")
    page = Client().get(f"/records/{dream.pk}/").content.decode()
    section = page.split('id="similar-h"', 1)[1]
    assert f'href="/records/{same.pk}/"' in section and f'href="/records/{broader.pk}/"' in section
    assert f'href="/records/{other.pk}/"' not in section and f'href="/records/{dream.pk}/"' not in section


def test_without_a_class_similar_titles_share_the_first_subject(shelf):
    first = catalogue("长江三峡", subjects=["长江--三峡"])
    second = catalogue("三峡工程", subjects=["长江--三峡"])
    page = Client().get(f"/records/{first.pk}/").content.decode()
    assert f'href="/records/{second.pk}/"' in page.split('id="similar-h"', 1)[1]


def test_the_share_link_and_qr_code_lead_to_the_page(shelf, dream, settings):
    settings.SHELFMARK_BASE_URL = "https://opac.example.cn"
    page = Client().get(f"/records/{dream.pk}/").content.decode()
    assert f'value="https://opac.example.cn/records/{dream.pk}/" readonly' in page
    svg = re.search(r'<figure role="img" aria-label="[^"]+">(<svg.*?</svg>)</figure>', page, re.S)
    assert svg and 'class="qr"' in svg.group(1)


def test_the_qr_code_decodes_to_the_record_address(shelf, dream, settings):
    zxingcpp = pytest.importorskip("zxingcpp")
    from io import BytesIO

    import segno
    from PIL import Image

    from shelfmark.opac import discovery

    settings.SHELFMARK_BASE_URL = "https://opac.example.cn"
    url = discovery.record_url(dream)
    assert url in unescape(Client().get(f"/records/{dream.pk}/").content.decode())
    # the page's SVG and this PNG are the same symbol (same text, error level and mask choice)
    out = BytesIO()
    segno.make(url, error=discovery.QR_ERROR_LEVEL, micro=False).save(out, kind="png", scale=4)
    decoded = zxingcpp.read_barcodes(Image.open(BytesIO(out.getvalue())))
    assert [code.text for code in decoded] == [url]


def test_a_missing_record_is_a_404(shelf):
    assert Client().get("/records/999999/").status_code == 404


def test_the_record_page_costs_a_fixed_number_of_queries(shelf, dream, django_assert_max_num_queries):
    for library in (shelf.net.county, shelf.net.city, shelf.net.township):
        shelf.item(dream, library=library)
    catalogue("红楼梦新证", clc_class="I242.47")
    # the record, its copies with their libraries, their loans, similar titles (two reads)
    with django_assert_max_num_queries(5):
        response = Client().get(f"/records/{dream.pk}/")
    assert response.status_code == 200


def test_a_record_catalogued_from_marc_shows_its_author_and_imprint(shelf):
    record = make_record("沈阳故宫")
    page = Client().get(f"/records/{record.pk}/").content.decode()
    assert "沈阳故宫" in page and "张三" in page and "辽宁人民出版社" in page
