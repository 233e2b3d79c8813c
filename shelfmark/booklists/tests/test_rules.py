"""The children's class rule: the longest matching CLC prefix decides a title's age band."""

from __future__ import annotations

import pytest

from shelfmark.booklists.rules import age_band_for_class, class_prefixes, prefix_bounds


@pytest.mark.parametrize(
    ("clc", "band"),
    [
        ("G613.2", "0-3"),
        ("I287.8", "4-6"),
        ("i287.85 ", "4-6"),
        ("I287.45", "10-12"),
        ("I287.5", "7-9"),
        ("I287", "7-9"),
        ("I712.85", "7-9"),
        ("I561.45", None),  # a British novel, not children's literature
        ("I561.84", "7-9"),  # a British children's novel
        ("Z228.1", "10-12"),
        ("Z22", None),
        ("I247.5", None),
        ("", None),
    ],
)
def test_a_class_number_places_a_title_by_its_longest_prefix(clc, band):
    assert age_band_for_class(clc) == band


def test_a_band_query_leaves_out_the_longer_prefixes_of_other_bands():
    assert class_prefixes("7-9")[1] == ["I287.8", "I287.45"]
    assert class_prefixes("4-6") == (["I287.8"], [])
    assert class_prefixes("13-up") == ([], [])


def test_prefix_bounds_cover_exactly_the_strings_with_the_prefix():
    low, high = prefix_bounds("I28")
    assert (low, high) == ("I28", "I29")
    assert all(low <= code < high for code in ("I28", "I287", "I287.8", "I28Z"))
    assert not any(low <= code < high for code in ("I27", "I29", "I2", "I3"))
