"""The catalogue facet "library holding it" (馆藏馆), registered by the holdings app."""

from __future__ import annotations

import pytest

from shelfmark.catalog.search.selectors import search
from shelfmark.core.errors import InvalidInput
from shelfmark.holdings import services
from shelfmark.holdings.tests.factories import make_item, make_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def holdings(net):
    """Three 辽宁 records: one held at both counties (two copies at one), one at the township, one nowhere."""
    both = make_record("辽宁省志")
    township = make_record("辽宁通史")
    make_record("辽宁年鉴")  # no copies
    make_item(both, library=net.county)
    make_item(both, library=net.county)
    make_item(both, library=net.other_county)
    make_item(township, library=net.township)
    gone = make_item(township, library=net.other_county)
    services.withdraw(item=gone, actor=None, reason="剔旧")
    return both, township


@pytest.mark.parametrize("q", ["", "辽宁"])
def test_records_are_counted_once_per_library_holding_them(net, holdings, q):
    result = search(q)
    facet = [(v.value, v.label, v.count) for v in result.facets["holding_library"]]
    assert facet == [
        (str(net.county.pk), "康平县图书馆", 1),
        (str(net.township.pk), "康平镇分馆", 1),
        (str(net.other_county.pk), "法库县图书馆", 1),
    ]
    # the cataloguing-library facet is untouched
    assert result.facets["library"] == []


@pytest.mark.parametrize("q", ["", "辽宁"])
def test_choosing_a_library_narrows_to_records_it_holds(net, holdings, q):
    both, township = holdings
    assert [r.pk for r in search(q, filters={"holding_library": str(net.county.pk)}).hits] == [both.pk]
    assert [r.pk for r in search(q, filters={"holding_library": str(net.township.pk)}).hits] == [township.pk]
    # a withdrawn copy does not count as holding
    assert [r.pk for r in search(q, filters={"holding_library": str(net.other_county.pk)}).hits] == [both.pk]


def test_a_bad_library_value_is_refused(holdings):
    with pytest.raises(InvalidInput) as refused:
        search("辽宁", filters={"holding_library": "LN-SY-KP"})
    assert refused.value.field == "holding_library"
