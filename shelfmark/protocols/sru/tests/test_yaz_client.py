"""yaz-client (Index Data's YAZ, Debian package `yaz`) searches the live SRU server with CQL, in 1.2 and 2.0, and gets
the right record as MARCXML. In CI a missing yaz-client fails the test instead of skipping it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from django.apps import apps
from lxml import etree

from shelfmark.holdings.tests.factories import make_item, make_record
from shelfmark.libraries.tests.factories import make_network

from .conftest import NS, marc_schema

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
]
_RECORD = re.compile(r'<record xmlns="http://www\.loc\.gov/MARC21/slim">.*?</record>', re.DOTALL)


def yaz_client() -> str:
    found = shutil.which("yaz-client")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("yaz-client is not installed (Debian package yaz, in the Makefile's APT_PACKAGES)")
        pytest.skip("yaz-client is not installed (apt-get install yaz)")
    return found


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_yaz_client_finds_a_record_with_cql_and_shows_it_as_marcxml(live_server, version):
    # given two books, one held by the county library
    net = make_network()
    wanted = make_record("辽宁地方志研究", author="王五", isbn="9787205012342")
    make_item(wanted, library=net.county, call_number="K293.1/12")
    make_record("沈阳城市史", author="张三", isbn="9787205088880")
    commands = f"sru get {version}\nquerytype cql\nfind dc.title=辽宁 and dc.creator=王五\nshow 1\nquit\n"

    # when yaz-client opens the SRU server, searches with CQL and shows the first record
    ran = subprocess.run(
        [yaz_client(), f"{live_server.url}/sru"], input=commands, capture_output=True, text=True, timeout=120
    )

    # then it found one record and received it as MARCXML: the right record, valid against the MARC 21 slim schema
    assert ran.returncode == 0, ran.stderr
    assert "Number of hits: 1" in ran.stdout, ran.stdout
    assert "pos=1 schema=info:srw/schema/1/marcxml-v1.1" in ran.stdout, ran.stdout
    shown = _RECORD.search(ran.stdout)
    assert shown is not None, ran.stdout
    marc = etree.fromstring(shown.group(0))
    marc_schema().assertValid(marc)
    assert marc.findtext("marc:controlfield[@tag='001']", namespaces=NS) == wanted.control_number
    assert marc.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", namespaces=NS) == "辽宁地方志研究"
    assert marc.findtext("marc:datafield[@tag='852']/marc:subfield[@code='a']", namespaces=NS) == "LN-SY-KP"
