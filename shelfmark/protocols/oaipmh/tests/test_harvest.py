"""An independent harvester (Sickle, from PyPI) harvests the provider over HTTP from a live server, in full and then
incrementally: every record exactly once, deletions seen, and every raw response valid against the schemas."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from lxml import etree
from sickle import Sickle

from shelfmark.catalog import services as catalog
from shelfmark.holdings.tests.factories import make_item, make_record

from .conftest import NS, OLD, REPOSITORY_ID, backdate, make_catalogue, oai_id, validated

pytestmark = [
    pytest.mark.django_db(transaction=True, available_apps=[app.name for app in apps.get_app_configs()]),
]


class Responses:
    """A requests hook: validates each raw response the harvester receives, and keeps them."""

    def __init__(self) -> None:
        self.documents: list[etree._Element] = []

    def __call__(self, response: Any, *args: Any, **kwargs: Any) -> None:
        assert response.status_code == 200, response.content[:500]
        self.documents.append(validated(response.content))

    @property
    def response_dates(self) -> list[str]:
        return [document.findtext("oai:responseDate", namespaces=NS) for document in self.documents]


def harvest(sickle: Sickle, prefix: str, **bounds: str) -> Counter[str]:
    """Harvest a whole list, deleted records included; count how often each identifier came, keyed with its status."""
    seen: Counter[str] = Counter()
    for record in sickle.ListRecords(metadataPrefix=prefix, ignore_deleted=False, **bounds):
        seen[f"{record.header.identifier} {'deleted' if record.deleted else 'live'}"] += 1
    return seen


def test_sickle_harvests_everything_once_then_only_the_changes(live_server, settings):
    # given a catalogue of seven live records (one CNMARC) and one deleted, harvested two at a time
    settings.SHELFMARK_OAI_REPOSITORY_ID = REPOSITORY_ID
    settings.SHELFMARK_OAI_PAGE_SIZE = 2
    catalogue = make_catalogue()
    more = [make_record(title) for title in ("辽海丛书", "奉天通志", "盛京时报研究")]
    backdate(more, OLD)
    live = [*catalogue.live, *more]
    responses = Responses()
    sickle = Sickle(f"{live_server.url}/oai", hooks={"response": [responses]})

    # when Sickle harvests the whole catalogue in oai_dc and in marc21
    everything = harvest(sickle, "oai_dc")
    marc21 = harvest(sickle, "marc21")

    # then every record came exactly once, the deleted one as deleted, over pages with resumption tokens
    expected = {f"{oai_id(record.pk)} live": 1 for record in live}
    expected[f"{oai_id(catalogue.deleted_id)} deleted"] = 1
    assert everything == expected
    assert marc21 == {key: 1 for key in expected if key != f"{oai_id(catalogue.cnmarc_record.pk)} live"}
    assert len(responses.documents) == 4 + 4  # 8 entries in pages of 2; 7 marc21 entries in pages of 2
    first_harvest_began = responses.response_dates[0]

    # when a record changes, one is deleted and another gets its first copy, and Sickle harvests from the first
    # harvest's response date on, with POST this time
    changed, deleted, newly_held = more[0], catalogue.unheld_book, more[1]
    catalog.update_record(record=changed, marc=changed.marc, actor=None)
    catalog.delete_record(record=deleted, actor=None)
    make_item(newly_held, library=catalogue.net.township)
    responses.documents.clear()
    by_post = Sickle(f"{live_server.url}/oai", http_method="POST", hooks={"response": [responses]})
    changes = harvest(by_post, "oai_dc", **{"from": first_harvest_began})

    # then exactly the changes came, the deletion as deleted, and every response was valid
    assert changes == {
        f"{oai_id(changed.pk)} live": 1,
        f"{oai_id(deleted.pk)} deleted": 1,
        f"{oai_id(newly_held.pk)} live": 1,
    }
    assert len(responses.documents) == 2
    township = harvest(sickle, "marc21", set="library:LN:LN-SY:LN-SY-KP:LN-SY-KP-01", **{"from": first_harvest_began})
    assert township == {f"{oai_id(newly_held.pk)} live": 1}
