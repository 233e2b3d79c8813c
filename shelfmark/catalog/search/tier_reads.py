"""Choose how to read one ranking tier's page beyond the count cap, from what the one pass saw of the hits.

PostgreSQL reads a result's first COUNT_CAP + 1 hits in one pass, in heap order (which an import writes in id
order), so the pass also tells how the hits spread over record ids. A tier's first hits by id can then be read
three ways; the cheapest depends on how dense the tier is:

- below a bound: when the sample holds at least a page's end of the tier's hits, the id of the one ending the
  page bounds the read (every earlier hit of the tier lies at or below it). Walking the primary key up to the
  bound checks the tsquery on each row; AND-ing the id range with the text index instead builds the query's
  whole bitmap but visits only the hits. Dense tiers walk, sparse ones AND.
- a walk of so many rows in id order, without a bound, when the tier is dense but the sample holds too few of it;
  it may end short of the page, and then the tier is read through the index.
- through the index: every hit of the tier, sorted; right for small tiers.

Costs are in rows walked in id order (a sequential heap row and a tsquery check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A hit visited through the index costs about this many walked rows (a random heap page against a sequential one).
VISIT_COST = 4
# An id put in the text index's bitmap costs about this share of a walked row.
BITMAP_COST = 0.1
MAX_WALK = 200_000


@dataclass(frozen=True)
class Sample:
    """Hits per tier in the one pass, the span of ids they covered, the highest id indexed, and per tier with
    enough hits the id of the one that ends the asked page."""

    tiers: dict[int, int]
    first_id: int
    last_id: int
    top_id: int
    bounds: dict[int, int] = field(default_factory=dict)

    @property
    def span(self) -> int:
        return max(1, self.last_id - self.first_id + 1)

    def total(self, count: int) -> float:
        """Estimate how many hits `count` of the sample's hits stand for among all ids."""
        return count * max(self.top_id, self.last_id) / self.span


@dataclass(frozen=True)
class Read:
    """How to read a tier: `below` an id (by a bitmap AND when `bitmap`), or a `walk` of so many rows, or
    neither (every hit through the index)."""

    below: int = 0
    bitmap: bool = False
    walk: int = 0


def choose(sample: Sample, tier: int, wanted: int) -> Read:
    """Return the cheapest way to read the first `wanted` hits of a tier."""
    query_hits = sample.total(sum(sample.tiers.values()))
    bound = sample.bounds.get(tier)
    if bound is not None:
        walked = bound  # ids from the first to the bound
        anded = BITMAP_COST * query_hits + VISIT_COST * wanted
        return Read(below=bound, bitmap=anded < walked)
    found = sample.tiers.get(tier, 0)
    if not found:
        return Read()
    rows = wanted * sample.span // found
    visited = VISIT_COST * sample.total(found) + BITMAP_COST * query_hits
    return Read(walk=min(MAX_WALK, 2 * rows + 1000)) if rows <= visited else Read()
