"""Reading a tier beyond the count cap: bound, walk or index, chosen from the one pass's sample."""

from shelfmark.catalog.search.tier_reads import MAX_WALK, Read, Sample, choose


def test_a_dense_tier_walks_to_the_bound_its_sample_gives():
    # given 2,001 hits of a broad query spread over the first 13,000 of 1,000,000 ids, the 20th of tier 1 at id 130
    sample = Sample({1: 2001}, first_id=1, last_id=13_000, top_id=1_000_000, bounds={1: 130})
    # then the first 20 of tier 1 are read by walking the 130 ids up to it (the query's bitmap would hold ~150,000)
    assert choose(sample, 1, 20) == Read(below=130, bitmap=False)


def test_a_sparse_tier_ands_its_bound_with_the_text_index():
    # given 2,001 hits over 680,000 ids (about 2,900 in all), the 20th at id 7,051
    sample = Sample({2: 2001}, first_id=472, last_id=681_999, top_id=1_000_000, bounds={2: 7051})
    # then walking 7,051 rows costs more than a bitmap of 2,900 ids and 20 visits
    assert choose(sample, 2, 20) == Read(below=7051, bitmap=True)


def test_without_a_bound_a_tier_dense_in_a_dense_sample_walks_a_bounded_number_of_rows():
    # given a broad query whose sample holds 10 title hits (too few for a page of 20) among 2,001 over 2,000 ids
    sample = Sample({1: 10, 2: 1991}, first_id=1, last_id=2_000, top_id=1_000_000, bounds={2: 25})
    # then tier 1 (about 5,000 hits) is walked: 4,000 rows expected, twice that and some as the limit
    assert choose(sample, 1, 20) == Read(walk=2 * 4_000 + 1000)


def test_without_a_bound_a_rare_tier_is_read_through_the_index():
    # given a sample that holds 3 title hits among 2,001 over 900,000 ids, and none of tier 0
    sample = Sample({1: 3, 2: 1998}, first_id=1, last_id=900_000, top_id=1_000_000, bounds={2: 9000})
    # then the title tier (a few hits in all) is read through the index, as is a tier the sample never saw
    assert choose(sample, 1, 20) == Read()
    assert choose(sample, 0, 20) == Read()


def test_no_walk_goes_beyond_its_limit():
    sample = Sample({1: 1, 2: 2000}, first_id=1, last_id=2_001, top_id=10_000_000)
    assert choose(sample, 1, 100).walk == MAX_WALK
