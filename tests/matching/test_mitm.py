"""Exhaustive subset search (meet in the middle) against brute force, and its ranking."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.matching import mitm
from rapprochement.matching.mitm import MAX_ITEMS, ranked_subsets


def brute(
    values: list[int], lo: int, hi: int, min_size: int, max_size: int
) -> set[tuple[int, ...]]:
    """Distinct fitting subsets, equal values taken first-in-order (as the search does)."""
    out = set()
    for k in range(min_size, min(max_size, len(values)) + 1):
        for combo in combinations(range(len(values)), k):
            if lo <= sum(values[j] for j in combo) <= hi:
                canon: list[int] = []
                for v in sorted({values[j] for j in combo}):
                    same = [j for j in range(len(values)) if values[j] == v]
                    take = sum(1 for j in combo if values[j] == v)
                    canon.extend(same[:take])
                out.add(tuple(sorted(canon)))
    return out


def brute_large(values: list[int], target: int) -> set[tuple[int, ...]]:
    """Subsets of 2 to 10 of distinct values summing to ``target`` (depth first, pruned)."""
    order = sorted(range(len(values)), key=lambda j: -values[j])
    rest = [sum(values[j] for j in order[k:]) for k in range(len(order) + 1)]
    out: set[tuple[int, ...]] = set()

    def walk(k: int, left: int, chosen: list[int]) -> None:
        if left == 0 and len(chosen) >= 2:
            out.add(tuple(sorted(chosen)))
        if k == len(order) or left <= 0 or len(chosen) == 10 or left > rest[k]:
            return
        walk(k + 1, left - values[order[k]], [*chosen, order[k]])
        walk(k + 1, left, chosen)

    walk(0, target, [])
    return out


def mean_cost(sol: tuple[int, ...], cost: list[int]) -> float:
    return sum(cost[j] for j in sol) / len(sol)


values_st = st.lists(st.integers(-3_000, 20_000), min_size=1, max_size=13)


@settings(max_examples=150, deadline=None)
@given(values=values_st, data=st.data(), quick=st.booleans())
def test_same_subsets_as_brute_force(values: list[int], data: st.DataObject, quick: bool) -> None:
    k = data.draw(st.integers(1, len(values)))
    target = sum(data.draw(st.permutations(values))[:k])
    width = data.draw(st.sampled_from([0, 0, 5, 300]))
    cost = data.draw(st.lists(st.integers(0, 90), min_size=len(values), max_size=len(values)))
    max_size = data.draw(st.integers(2, 6))
    want = brute(values, target, target + width, 2, max_size)
    # both paths: the small depth-first listing and the meet in the middle
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(mitm, "_QUICK_ITEMS", 14 if quick else 0)
        got, count = ranked_subsets(
            values, target, target + width, cost, max_size=max_size, limit=50
        )
    assert got.complete
    assert count == len(want)
    assert set(got.solutions) <= want
    assert len(got.solutions) == min(50, len(want))
    # best first: mean cost never decreases along the list
    means = [mean_cost(s, cost) for s in got.solutions]
    assert means == sorted(means)


def test_interchangeable_equal_values_count_once() -> None:
    values = [500, 500, 300, 200]
    got, count = ranked_subsets(values, 800, 800, [0, 0, 0, 0], limit=5)
    # {500, 300} with either 500: one subset, flagged as interchangeable
    assert count == 1 == len(brute(values, 800, 800, 2, 10))
    flagged = dict(zip(got.solutions, got.interchangeable, strict=True))
    assert flagged[(0, 2)] is True  # took one of two equal 500s
    assert (1, 2) not in flagged  # the same subset by the other 500 is not listed again


def test_prefers_items_due_near_the_payment() -> None:
    # two subsets reach 1000: items 0+1 (far from due) and items 2+3 (near)
    values = [600, 400, 700, 300]
    cost = [90, 80, 2, 5]
    got, count = ranked_subsets(values, 1000, 1000, cost)
    assert count == 2
    assert got.solutions[0] == (2, 3)


def test_large_search_is_exhaustive() -> None:
    # 30 items: the depth-first budget would stop; the exhaustive search finds the one subset
    rng = random.Random(3)
    values = [rng.randint(10_000, 900_000) for _ in range(30)]
    pick = (1, 7, 12, 19, 23, 28)
    target = sum(values[j] for j in pick)
    cost = [0 if j in pick else 60 for j in range(30)]
    got, count = ranked_subsets(values, target, target, cost)
    assert got.complete
    assert got.solutions[0] == pick
    assert count == len(brute_large(values, target))


def test_pair_budget_marks_the_search_incomplete() -> None:
    values = [1] * 20 + [2] * 20
    got, count = ranked_subsets(values, 6, 30, [0] * 40, max_size=40, max_pairs=100)
    assert not got.complete
    assert count > 0


def test_bounds() -> None:
    empty, count = ranked_subsets([], 0, 0, [])
    assert empty.solutions == []
    assert count == 0
    assert empty.complete


def test_search_beyond_the_exhaustive_bound_goes_depth_first() -> None:
    values = list(range(100, 100 + MAX_ITEMS + 5))
    got, count = ranked_subsets(values, 201, 201, [0] * len(values), limit=3)
    assert got.solutions == [(0, 1)]  # 100 + 101, found by the depth-first search
    assert count == 1
    small, n = ranked_subsets([100, 101, 5], 201, 201, [0, 0, 0])
    assert small.solutions == [(0, 1)]
    assert n == 1


@settings(max_examples=150, deadline=None)
@given(
    a=st.lists(st.integers(-3_000, 20_000), max_size=7),
    b=st.lists(st.integers(-3_000, 20_000), min_size=1, max_size=7),
    lo=st.integers(-5_000, 60_000),
    width=st.sampled_from([0, 5, 300, 20_000]),
)
def test_pruned_pairs_are_every_fitting_pair(
    a: list[int], b: list[int], lo: int, width: int
) -> None:
    # half sums pruned before the sort: still every (first half, second half) pair in the
    # window, as listing all of them finds
    def sums(vals: list[int]) -> list[int]:
        return [sum(v for j, v in enumerate(vals) if i >> j & 1) for i in range(1 << len(vals))]

    sa, sb = sums(a), sums(b)
    want = {
        (i, k) for i in range(len(sa)) for k in range(len(sb)) if lo <= sa[i] + sb[k] <= lo + width
    }
    got = mitm._pruned_pairs(tuple(a), tuple(b), lo, lo + width, 10**6)
    assert got is not None
    assert set(zip(got[0].tolist(), got[1].tolist(), strict=True)) == want
    assert len(got[0]) == len(want)
    # over the pair budget: none (the search then takes the first pairs of the full sort)
    if len(want) > 1:
        assert mitm._pruned_pairs(tuple(a), tuple(b), lo, lo + width, len(want) - 1) is None


@settings(max_examples=100, deadline=None)
@given(
    masks=st.sets(st.integers(1, (1 << 12) - 1), min_size=1, max_size=60),
    cost=st.lists(st.integers(0, 90), min_size=12, max_size=12),
    limit=st.integers(1, 70),
    tables=st.booleans(),
)
def test_best_subsets_are_the_first_by_the_order_key(
    masks: set[int], cost: list[int], limit: int, tables: bool
) -> None:
    # by one bit matrix or by per-half tables, only the best ``limit`` ordered: the first
    # ``limit`` of the order key's sort all the same
    arr = np.array(sorted(masks), dtype=np.int64)
    size = mitm._BIT_MATRIX
    mitm._BIT_MATRIX = 0 if tables else size
    try:
        got = [int(arr[q]) for q in mitm._best(arr, cost, 12, limit)]
    finally:
        mitm._BIT_MATRIX = size
    subsets = {m: tuple(j for j in range(12) if m >> j & 1) for m in masks}
    want = sorted(masks, key=lambda m: mitm._order_key(subsets[m], cost))
    assert got == want[:limit]
