"""Public catalogue search over the API: the same selector as `shelfmark search`, paged, with facets."""

from __future__ import annotations

import pytest

from shelfmark.catalog import services
from shelfmark.catalog.tests.web_fixtures import marc_json

pytestmark = pytest.mark.django_db
SEARCH = "/api/v1/catalog/search"


@pytest.fixture
def books():
    return [
        services.create_record(
            marc=marc_json(title, isbn=isbn, control_number=f"s{n}"), marc_format="auto", library=None, actor=None
        )
        for n, (title, isbn) in enumerate([("沈阳故宫", "9787205000011"), ("沈阳故宫博物院藏品", ""), ("辽宁通史", "")])
    ]


def test_anyone_may_search_and_the_exact_title_comes_first(client, books):
    # when an anonymous visitor searches for a title
    response = client.get(SEARCH, {"q": "沈阳故宫"})

    # then both records holding it come back, the exact title first, with facets
    body = response.json()
    assert response.status_code == 200
    assert (body["total"], body["page"], body["per_page"], body["total_exact"]) == (2, 1, 20, True)
    assert [hit["title"] for hit in body["hits"]] == ["沈阳故宫", "沈阳故宫博物院藏品"]
    assert body["facets"]["resource_type"] == [{"value": "print", "label": "纸本图书", "count": 2}]


def test_isbn_search_finds_the_record_with_or_without_hyphens(client, books):
    plain = client.get(SEARCH, {"q": "9787205000011"}).json()
    hyphens = client.get(SEARCH, {"q": "978-7-205-00001-1"}).json()

    assert [hit["id"] for hit in plain["hits"]] == [hit["id"] for hit in hyphens["hits"]] == [books[0].pk]


def test_search_is_paged(client, books):
    body = client.get(SEARCH, {"q": "故宫", "page": 2, "per_page": 1}).json()

    assert (body["total"], body["page"]) == (2, 2)
    assert [hit["title"] for hit in body["hits"]] == ["沈阳故宫博物院藏品"]


@pytest.mark.parametrize(("params", "field"), [({"page": 0}, "page"), ({"per_page": 101}, "per_page")])
def test_bad_paging_is_a_field_error(client, params, field):
    response = client.get(SEARCH, {"q": "x", **params})

    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_input", field)
