"""The OpenSearch description: browsers and other sites learn the search and suggestion addresses from it."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from lxml import etree

from shelfmark.catalog.tests.search_corpus import build_corpus

pytestmark = pytest.mark.django_db
NS = {"os": "http://a9.com/-/spec/opensearch/1.1/"}


def test_the_description_parses_and_names_the_search_and_suggestion_addresses():
    # when a browser fetches the description
    response = Client().get("/opensearch.xml")
    # then it is an OpenSearch 1.1 document with the HTML search and the suggestions JSON
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/opensearchdescription+xml")
    root = etree.fromstring(response.content)
    assert root.tag == "{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription"
    assert root.findtext("os:ShortName", namespaces=NS) == "图书馆馆藏检索"
    assert len(root.findtext("os:ShortName", namespaces=NS)) <= 16
    templates = {url.get("type"): url.get("template") for url in root.findall("os:Url", NS)}
    assert templates["text/html"] == "http://testserver/search/?q={searchTerms}&page={startPage?}"
    assert templates["application/x-suggestions+json"] == "http://testserver/search/suggest?q={searchTerms}"
    assert templates["application/opensearchdescription+xml"] == "http://testserver/opensearch.xml"


def test_the_addresses_it_gives_answer_as_it_says():
    build_corpus()
    root = etree.fromstring(Client().get("/opensearch.xml").content)
    templates = {url.get("type"): url.get("template") for url in root.findall("os:Url", NS)}
    # the HTML search, with an optional page left empty as a client may leave it
    search = templates["text/html"].replace("{searchTerms}", "hlm").replace("{startPage?}", "")
    page = Client().get(search.removeprefix("http://testserver"))
    assert page.status_code == 200 and "红楼梦" in page.content.decode()
    # the suggestions, in the suggestions format
    suggest = templates["application/x-suggestions+json"].replace("{searchTerms}", "hlm")
    answer = Client().get(
        suggest.removeprefix("http://testserver"), headers={"Accept": "application/x-suggestions+json"}
    )
    assert json.loads(answer.content)[1][0] == "红楼梦"
