"""Short titles for labels and the desk."""

import pytest

from shelfmark.holdings.display import short_title


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("辽宁地方志研究", "辽宁地方志研究"),
        ("辽宁省志：地理志", "辽宁省志"),
        ("辽宁省志 : 地理志 / 辽宁省地方志编纂委员会编", "辽宁省志"),
        ("Programming Perl / Larry Wall.", "Programming Perl"),
        ("红楼梦 = The story of the stone", "红楼梦"),
        (" : only a subtitle", "only a subtitle"),
    ],
)
def test_short_title_is_the_title_proper(title, short):
    assert short_title(title) == short
