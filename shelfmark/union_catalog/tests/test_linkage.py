"""Linkage on match keys alone: scores, hard blocks, decisions and the ISBN constraint on chains."""

from __future__ import annotations

from shelfmark.union_catalog import linkage
from shelfmark.union_catalog.linkage import Node


def node(
    member_id: int,
    title: str,
    *,
    isbns: tuple[str, ...] = (),
    author: str = "张三",
    publisher: str = "辽宁人民出版社",
    year: int | None = 2019,
    volume: str = "",
    edition: str = "",
    fullness: int = 0,
    ours: bool = False,
) -> Node:
    return Node(member_id, isbns, title, author, f"{author}著", publisher, year, volume, edition, fullness, ours)


def test_a_shared_isbn_links_and_unlike_chinese_titles_under_one_isbn_only_make_a_candidate():
    same = linkage.compare(node(1, "辽宁通史", isbns=("A",)), node(2, "辽宁通史", isbns=("A",), author="x"))
    reused = linkage.compare(node(1, "辽宁通史", isbns=("A",)), node(2, "红楼梦", isbns=("A",)))
    romanised = linkage.compare(node(1, "辽宁通史", isbns=("A",)), node(2, "liaoningtongshi", isbns=("A",)))

    assert same == (1.0, "isbn")
    assert reused[1] == "isbn_title" and linkage.REVIEW <= reused[0] < linkage.AUTO_LINK
    assert romanised == (1.0, "isbn")


def test_hard_blocks_volume_edition_other_isbns_and_years():
    base = node(1, "辽宁通史", volume="1")
    assert linkage.blocked(base, node(2, "辽宁通史", volume="2")) == "volume"
    assert linkage.blocked(base, node(2, "辽宁通史", volume="1", edition="2")) == "edition"
    assert linkage.blocked(node(1, "x", isbns=("A",)), node(2, "x", isbns=("B",))) == "isbn"
    assert linkage.blocked(node(1, "x", year=2019), node(2, "x", year=2020)) == "year"
    assert linkage.blocked(node(1, "x", year=2019, isbns=("A",)), node(2, "x", year=2020, isbns=("A",))) == ""
    assert linkage.compare(base, node(2, "辽宁通史", volume="2")) == (0.0, "")


def test_scores_weigh_title_author_publisher_and_year():
    alike = linkage.compare(node(1, "沈阳城市史"), node(2, "沈阳城市史"))
    other_author = linkage.compare(node(1, "沈阳城市史", author="王小明"), node(2, "沈阳城市史", author="王晓明"))
    no_year = linkage.compare(node(1, "沈阳城市史", year=None), node(2, "沈阳城市史"))

    assert alike == (1.0, "similar")
    assert linkage.REVIEW <= other_author[0] < linkage.AUTO_LINK
    assert no_year == (1.0, "similar")  # a missing part drops out of the mean


def test_a_chain_never_joins_two_isbns_and_decisions_win_over_scores():
    # given two ISBN records of one title and a record without ISBN alike to both
    nodes = [node(1, "辽宁通史", isbns=("A",)), node(2, "辽宁通史"), node(3, "辽宁通史", isbns=("B",))]

    # when linked
    result = linkage.link(nodes)

    # then the record without ISBN joins one of them, never both
    groups = {frozenset(i for i, g in enumerate(result.group_of) if g == root) for root in set(result.group_of)}
    assert len(groups) == 2
    assert frozenset({0, 2}) not in groups and not any({0, 2} <= group for group in groups)

    # when a cataloguer pins 0 and 1 apart and 1 and 2 together
    decided = linkage.link(nodes, cannot_link=[(0, 1)], must_link=[(1, 2)])
    assert decided.group_of[1] == decided.group_of[2] != decided.group_of[0]


def test_big_blocks_are_compared_by_sorted_neighbourhood():
    # given 500 records of one common title, two of them the same book
    names = [chr(0x5000 + 3 * i) + chr(0x6000 + 5 * i) for i in range(500)]
    nodes = [node(i, "诗集", author=names[i], publisher=f"出版社{i % 7}", year=1950 + i % 60) for i in range(500)]
    nodes.append(node(500, "诗集", author=names[3], publisher="出版社3", year=1953))

    result = linkage.link(nodes)

    assert result.group_of[3] == result.group_of[500]
    assert len(set(result.group_of)) == 500


def test_the_preferred_record_is_the_fullest_then_ours_then_the_oldest():
    nodes = [node(5, "a", fullness=10), node(3, "a", fullness=12), node(4, "a", fullness=12, ours=True)]
    assert linkage.preferred([0, 1, 2], nodes) == 2
    nodes[2].ours = False
    assert linkage.preferred([0, 1, 2], nodes) == 1


def test_chinese_names_differing_by_a_character_are_other_people_and_role_words_do_not_count():
    def statement(member_id: int, text: str, publisher: str = "湖南文艺出版社") -> Node:
        return Node(member_id, (), "水稻栽培十讲", "", text, publisher, 1984, "", "")

    roles = linkage.compare(statement(1, "张三著"), statement(2, "张三编著"))
    other_person = linkage.compare(statement(1, "周辉著"), statement(2, "何国辉著"))
    other_translator = linkage.compare(statement(1, "美马克吐温著夏霞译"), statement(2, "美马克吐温著金磊文译"))

    assert roles == (1.0, "similar")
    assert other_person[0] < linkage.AUTO_LINK
    assert other_translator[0] < linkage.AUTO_LINK
