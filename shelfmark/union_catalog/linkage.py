"""Record linkage of the union catalogue: blocking, rapidfuzz scoring and constrained union-find. No ORM here.

1. **Blocking.** A pair is compared only when the two records share a block: an ISBN-13, a folded title (in a
   big block, records of one year), or a (first author, year, publisher) triple. Blocks of more than
   `ALL_PAIRS_UP_TO` records are compared by sorted neighbourhood: sorted by year, publisher and author, each
   record against the next `WINDOW`.
2. **Hard blocks.** Two records are never linked when their volumes (第二卷 / 第三卷 / vol. 2) or editions
   (第2版 / first) differ, when both have ISBNs and share none, or, without a shared ISBN, when both have a
   year and the years differ.
3. **Scores** (rapidfuzz, C++): a shared ISBN links unless both titles are in Chinese and alike below
   `ISBN_TITLE_MIN` (one ISBN printed on two books happens), which makes a candidate instead. Without one,
   the score is the weighted mean of title, author (the statements of responsibility with role words taken out,
   else the first authors; Chinese names scored harshly, see `_names`), publisher and year similarity
   (`WEIGHTS`; a part missing on either side drops out of the mean).
   At least `AUTO_LINK` links; from `REVIEW` up it is a candidate merge for a cataloguer.
4. **Clusters.** Cataloguers' must-link pairs are joined first, then links from the highest score down,
   refusing a join that would put a cannot-link pair, or two ISBNs that no pair shares, into one cluster.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rapidfuzz import fuzz

AUTO_LINK = 0.90
REVIEW = 0.75
ISBN_TITLE_MIN = 0.7
WEIGHTS = {"title": 0.45, "author": 0.30, "publisher": 0.15, "year": 0.10}
ALL_PAIRS_UP_TO = 60
WINDOW = 20
BIG_TITLE_BLOCK = 200


@dataclass(slots=True)
class Node:
    """One active cluster member as linkage sees it."""

    member_id: int
    isbns: tuple[str, ...]
    title_key: str
    author_key: str
    responsibility_key: str
    publisher_key: str
    year: int | None
    volume: str
    edition: str
    fullness: int = 0
    ours: bool = False
    cluster_id: int | None = None
    people: str = ""

    def __post_init__(self) -> None:
        self.people = people_of(self.responsibility_key)


@dataclass(slots=True)
class Pair:
    """Two nodes (indexes, left < right) and what comparing them gave."""

    left: int
    right: int
    score: float
    reason: str


@dataclass
class Result:
    """Linkage's outcome: each node's group (the index of its representative), links made, candidates."""

    group_of: list[int]
    links: int
    candidates: list[Pair] = field(default_factory=list)


def _has_cjk(value: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in value)


def _similar(a: str, b: str) -> float | None:
    if not a or not b:
        return None
    return fuzz.ratio(a, b) / 100


# Role words of a statement of responsibility (folded: no spaces or punctuation), longest first: 张三编著 and
# 张三著 name the same person.
_ROLES = re.compile(
    "主编|编著|编写|编译|编选|编纂|译注|校注|整理|选编|撰文|绘画|摄影|口述|执笔|改编|主审|审订|校订|修订|编|著|译|撰|绘|注|校|辑|等"
)


def people_of(responsibility_key: str) -> str:
    """The names of a folded statement of responsibility, its role words taken out."""
    return _ROLES.sub("", responsibility_key)


def _names(a: str, b: str) -> float | None:
    """How alike two runs of names are. A Chinese name is two to four characters, each a word: one character
    more or less (周辉 / 何国辉) is another person, so Chinese names score the cube of their likeness, but a statement
    that leaves out a second person (张三 / 张三李四) is near; romanised names keep their plain likeness."""
    if not a or not b:
        return None
    if a == b:
        return 1.0
    cjk_a, cjk_b = _has_cjk(a), _has_cjk(b)
    if cjk_a != cjk_b:
        return None  # one in pinyin, one in characters: nothing to compare
    if not cjk_a:
        return fuzz.ratio(a, b) / 100
    if min(len(a), len(b)) >= 2 and (a.startswith(b) or b.startswith(a)):
        return 0.9
    return float((fuzz.ratio(a, b) / 100) ** 3)


def _author(a: Node, b: Node) -> float | None:
    """Compare the statements of responsibility (every person, roles aside), else the first authors."""
    found = _names(a.people, b.people)
    return found if found is not None else _names(a.author_key, b.author_key)


def _isbn_title(a: str, b: str) -> float:
    """How alike two titles under one ISBN are; one holding the other (a subtitle folded in) counts as alike."""
    whole = fuzz.ratio(a, b) / 100
    if min(len(a), len(b)) >= 4:
        return max(whole, 0.9 * fuzz.partial_ratio(a, b) / 100)
    return whole


def blocked(a: Node, b: Node) -> str:
    """Return why two records can never be one manifestation ("" when they may be)."""
    if a.volume != b.volume:
        return "volume"
    if a.edition != b.edition:
        return "edition"
    shared = bool(a.isbns and b.isbns and set(a.isbns) & set(b.isbns))
    if a.isbns and b.isbns and not shared:
        return "isbn"
    if not shared and a.year is not None and b.year is not None and a.year != b.year:
        return "year"
    return ""


def compare(a: Node, b: Node) -> tuple[float, str]:
    """Score a pair in [0, 1] and say how: "isbn", "isbn_title" (shared ISBN, unlike titles) or "similar"."""
    if blocked(a, b):
        return 0.0, ""
    title = _similar(a.title_key, b.title_key) or 0.0
    if a.isbns and b.isbns:  # not blocked, so they share one
        if _has_cjk(a.title_key) and _has_cjk(b.title_key) and _isbn_title(a.title_key, b.title_key) < ISBN_TITLE_MIN:
            return REVIEW + (AUTO_LINK - REVIEW) * title, "isbn_title"
        return 1.0, "isbn"
    parts = {"title": title, "author": _author(a, b), "publisher": _similar(a.publisher_key, b.publisher_key)}
    parts["year"] = None if a.year is None or b.year is None else 1.0
    weight = sum(WEIGHTS[name] for name, value in parts.items() if value is not None)
    score = sum(WEIGHTS[name] * value for name, value in parts.items() if value is not None) / weight
    return score, "similar"


def _pairs_in(block: list[int], nodes: list[Node]) -> Iterator[tuple[int, int]]:
    if len(block) <= ALL_PAIRS_UP_TO:
        for position, left in enumerate(block):
            for right in block[position + 1 :]:
                yield left, right
        return
    ordered = sorted(
        block, key=lambda i: (nodes[i].year or 0, nodes[i].publisher_key, nodes[i].author_key, nodes[i].member_id)
    )
    for position, left in enumerate(ordered):
        for right in ordered[position + 1 : position + 1 + WINDOW]:
            yield left, right


def blocks(nodes: list[Node]) -> Iterator[list[int]]:
    """Yield the blocks of node indexes to compare within (see the module's docstring)."""
    by_isbn: dict[str, list[int]] = defaultdict(list)
    by_title: dict[str, list[int]] = defaultdict(list)
    by_people: dict[tuple[str, int, str], list[int]] = defaultdict(list)
    for index, node in enumerate(nodes):
        for isbn in node.isbns:
            by_isbn[isbn].append(index)
        if node.title_key:
            by_title[node.title_key].append(index)
        person = node.author_key or node.responsibility_key[:16]
        if person and node.year is not None and node.publisher_key:
            by_people[(person, node.year, node.publisher_key)].append(index)
    for block in by_isbn.values():
        if len(block) > 1:
            yield block
    for block in by_title.values():
        if len(block) > BIG_TITLE_BLOCK:
            by_year: dict[int | None, list[int]] = defaultdict(list)
            for index in block:
                by_year[nodes[index].year].append(index)
            yield from (part for part in by_year.values() if len(part) > 1)
        elif len(block) > 1:
            yield block
    for block in by_people.values():
        if len(block) > 1:
            yield block


def candidate_pairs(nodes: list[Node]) -> Iterator[Pair]:
    """Compare every pair that shares a block, once; yield those scoring at least REVIEW."""
    compared: set[int] = set()  # pairs as one int (left << 32 | right): a fifth of the memory of tuples
    for block in blocks(nodes):
        for first, second in _pairs_in(block, nodes):
            left, right = (first, second) if first < second else (second, first)
            key = left << 32 | right
            if key in compared:
                continue
            compared.add(key)
            score, reason = compare(nodes[left], nodes[right])
            if score >= REVIEW:
                yield Pair(left, right, score, reason)


class _Groups:
    """Union-find over node indexes that keeps cannot-link pairs and ISBN sets apart."""

    def __init__(self, nodes: list[Node]) -> None:
        self.parent = list(range(len(nodes)))
        self.isbns: dict[int, set[str]] = {i: set(node.isbns) for i, node in enumerate(nodes) if node.isbns}
        self.cannot: dict[int, set[int]] = {}

    def find(self, index: int) -> int:
        parent = self.parent
        root = index
        while parent[root] != root:
            root = parent[root]
        while parent[index] != root:
            parent[index], index = root, parent[index]
        return root

    def forbid(self, left: int, right: int) -> None:
        self.cannot.setdefault(self.find(left), set()).add(right)
        self.cannot.setdefault(self.find(right), set()).add(left)

    def join(self, left: int, right: int, *, forced: bool = False) -> bool:
        a, b = self.find(left), self.find(right)
        if a == b:
            return True
        if any(self.find(m) == b for m in self.cannot.get(a, ())) or any(
            self.find(m) == a for m in self.cannot.get(b, ())
        ):
            return False
        isbns_a, isbns_b = self.isbns.get(a), self.isbns.get(b)
        if not forced and isbns_a and isbns_b and not isbns_a & isbns_b:
            return False
        self.parent[b] = a
        if isbns_b:
            self.isbns[a] = (isbns_a or set()) | isbns_b
            del self.isbns[b]
        if b in self.cannot:
            self.cannot.setdefault(a, set()).update(self.cannot.pop(b))
        return True


def link(
    nodes: list[Node],
    *,
    must_link: Iterable[tuple[int, int]] = (),
    cannot_link: Iterable[tuple[int, int]] = (),
    pairs: Iterable[Pair] | None = None,
) -> Result:
    """Group the nodes: decisions first, then scored links from the best down; collect the candidates left."""
    groups = _Groups(nodes)
    decided: set[tuple[int, int]] = set()
    for left, right in cannot_link:
        groups.forbid(left, right)
        decided.add((min(left, right), max(left, right)))
    for left, right in must_link:
        groups.join(left, right, forced=True)
        decided.add((min(left, right), max(left, right)))
    found = sorted(candidate_pairs(nodes) if pairs is None else pairs, key=lambda pair: -pair.score)
    links = 0
    review: list[Pair] = []
    for pair in found:
        if pair.score >= AUTO_LINK and pair.reason != "isbn_title":
            if groups.join(pair.left, pair.right):
                links += 1
        elif (pair.left, pair.right) not in decided:
            review.append(pair)
    group_of = [groups.find(i) for i in range(len(nodes))]
    candidates = [pair for pair in review if group_of[pair.left] != group_of[pair.right]]
    return Result(group_of=group_of, links=links, candidates=candidates)


def preferred(members: list[int], nodes: list[Node]) -> int:
    """The preferred record of a group: the highest fullness, then our own catalogue's, then the oldest member."""
    return min(members, key=lambda i: (-nodes[i].fullness, not nodes[i].ours, nodes[i].member_id))
