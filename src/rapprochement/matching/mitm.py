"""Exhaustive subset-sum by meet in the middle, with the subsets ranked by preference.

The depth-first search of :mod:`.subsetsum` stops at a node budget: over a payer's 30 open
items it often stops before the one subset that fits, and never knows how many fit. Here the
items are split in two halves; every subset sum of each half is listed (2^15 for 15 items,
vectorized), and the pairs whose total falls in the window are read off the sorted second half
with binary searches. The result is every fitting subset (up to ``max_pairs``), so the count
of alternatives is exact, and the subsets are returned best first by a per-item ``cost``
(a grouped payment most likely settles the items due nearest to it).

Equal values are interchangeable as in :func:`.subsetsum.find_subsets`: subsets that differ
only by which of several equal items they take count once, taking the first ones in the order
given, and are flagged.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np

from rapprochement.matching.subsetsum import SubsetSearch, find_subsets

__all__ = ["MAX_ITEMS", "ranked_subsets"]

#: Most items searched this way (two halves of 2^20 sums at most).
MAX_ITEMS = 40

Array = np.ndarray[Any, Any]
_QUICK_NODES = 2_000  # node budget of the depth-first attempt
_QUICK_LIMIT = 64  # subsets it may list before the exhaustive search takes over
_QUICK_ITEMS = 14  # more items than this go straight to the exhaustive search
_BIT_MATRIX = 16384  # subsets × items ranked by one bit matrix (beyond: per-half tables)


@cache
def _sizes(m: int) -> Array:
    """Number of items in each of the 2^m subsets of m items (subset i takes item j when bit
    j of i is set)."""
    sizes = np.zeros(1 << m, dtype=np.int8)
    for j in range(m):
        sizes[1 << j : 1 << (j + 1)] = sizes[: 1 << j] + 1
    return sizes


@lru_cache(maxsize=8)
def _half(values: tuple[int, ...]) -> Array:
    """Sum of each of the 2^m subsets of ``values`` (subset i takes item j when bit j of i is
    set); cached, as the exact search and the fee window search the same items."""
    sums = _subset_sums(values)
    sums.flags.writeable = False  # (shared by the cache)
    return sums


def _subset_sums(values: Sequence[int]) -> Array:
    """Sum of each of the 2^m subsets of ``values`` (subset i takes item j when bit j of i is
    set)."""
    sums = np.zeros(1 << len(values), dtype=np.int64)
    for j, v in enumerate(values):
        np.add(sums[: 1 << j], v, out=sums[1 << j : 1 << (j + 1)])
    return sums


@lru_cache(maxsize=8)
def _sorted_half(values: tuple[int, ...]) -> tuple[Array, Array]:
    """The subset sums of ``values`` sorted, and the subset (index) of each; cached, as the
    exact search and the fee window search the same items."""
    sums = _half(values)
    # (not a stable sort: equal sums may come in any order, the result does not depend on it)
    order = np.argsort(sums)
    return sums[order], order


def _canonical(masks: Array, values: Sequence[int]) -> tuple[Array, Array]:
    """Masks with equal values taken first-in-order, deduplicated (order kept by first
    appearance), and per mask whether it took some but not all of several equal values."""
    inter = np.zeros(len(masks), dtype=bool)
    if len(set(values)) == len(values):
        return masks, inter  # (distinct pairs of half subsets: distinct masks)
    groups: dict[int, list[int]] = {}
    for j, v in enumerate(values):
        groups.setdefault(v, []).append(j)
    for idx in groups.values():
        if len(idx) < 2:
            continue
        gmask = np.int64(sum(1 << j for j in idx))
        count = np.zeros(len(masks), dtype=np.int64)
        for j in idx:
            count += (masks >> j) & 1
        firsts = np.array(
            [sum(1 << j for j in idx[:c]) for c in range(len(idx) + 1)], dtype=np.int64
        )
        masks = (masks & ~gmask) | firsts[count]
        inter |= (count > 0) & (count < len(idx))
    _, first = np.unique(masks, return_index=True)
    keep = np.sort(first)
    return masks[keep], inter[keep]


def _order_key(sol: tuple[int, ...], cost: Sequence[int]) -> tuple[float, int, int, int]:
    mask = sum(1 << j for j in sol)
    return (sum(int(cost[j]) for j in sol) / len(sol), len(sol), sol[0], mask)


def ranked_subsets(
    values: Sequence[int],
    lo: int,
    hi: int,
    cost: Sequence[int],
    *,
    min_size: int = 2,
    max_size: int = 10,
    limit: int = 3,
    max_pairs: int = 50_000,
    max_nodes: int = 2_000,
) -> tuple[SubsetSearch, int]:
    """Every subset of ``values`` (at most :data:`MAX_ITEMS`, any sign) of ``min_size`` to
    ``max_size`` items whose sum lies in ``[lo, hi]``, ranked by the mean ``cost`` of its items
    (then fewer items, then the items given first); the best ``limit`` are returned with the
    number of distinct subsets found.

    ``complete`` is False when more than ``max_pairs`` half-pairs fit the window (the count is
    then a lower bound). Beyond :data:`MAX_ITEMS` values, the depth-first search within
    ``max_nodes`` is used instead (its subsets in search order, the count at most ``limit``).
    """
    n = len(values)
    if n > MAX_ITEMS:
        far = find_subsets(
            values, lo, hi, min_size=min_size, max_size=max_size, limit=limit, max_nodes=max_nodes
        )
        return far, len(far.solutions)
    if n == 0 or lo > hi:
        return SubsetSearch([], [], complete=True), 0
    if lo > sum(v for v in values if v > 0) or hi < sum(v for v in values if v < 0):
        return SubsetSearch([], [], complete=True), 0  # out of reach of every subset
    # a small search: depth first within a small budget lists every subset, the exhaustive
    # search runs only when it does not finish
    if n <= _QUICK_ITEMS:
        quick = find_subsets(
            values, lo, hi, min_size=min_size, max_size=max_size, limit=_QUICK_LIMIT,
            max_nodes=_QUICK_NODES,
        )  # fmt: skip
        if quick.complete and len(quick.solutions) < _QUICK_LIMIT:
            sols = quick.solutions
            pick = sorted(range(len(sols)), key=lambda q: _order_key(sols[q], cost))[:limit]
            ranked = SubsetSearch(
                [sols[q] for q in pick], [quick.interchangeable[q] for q in pick], True
            )
            return ranked, len(sols)
    h = n // 2
    got = _pruned_pairs(tuple(values[:h]), tuple(values[h:]), lo, hi, max_pairs)
    if got is not None and not len(got[0]):
        return SubsetSearch([], [], complete=True), 0
    complete = got is not None
    ai, bi = got if got is not None else _first_pairs(values, h, lo, hi, max_pairs)
    size = _sizes(h)[ai].astype(np.int64) + _sizes(n - h)[bi]
    ok = (size >= min_size) & (size <= max_size)
    masks = ai[ok].astype(np.int64) | (bi[ok].astype(np.int64) << h)
    if not len(masks):
        return SubsetSearch([], [], complete=complete), 0
    masks, inter = _canonical(masks, values)
    best = _best(masks, cost, n, limit).tolist()
    solutions = [tuple(j for j in range(n) if int(masks[q]) >> j & 1) for q in best]
    return SubsetSearch(solutions, [bool(inter[q]) for q in best], complete), len(masks)


def _best(masks: Array, cost: Sequence[int], n: int, limit: int) -> Array:
    """The best ``limit`` of ``masks`` (distinct subsets of ``n`` items, one item at least) in
    order: lowest mean ``cost`` (costs are small integers: days), then fewer items, then the
    items given first (as :func:`_order_key`). Only the subsets whose mean cost is among the
    ``limit`` lowest are ordered in full."""
    m = len(masks)
    if m * n <= _BIT_MATRIX:
        # one bit matrix (subset × item) for every subset at once
        bits = ((masks[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.int64)
        sizes = bits.sum(axis=1)
        costs = bits @ np.array([int(c) for c in cost], dtype=np.int64)
    else:  # many subsets: per half, a table of every subset's size and cost
        h = n // 2
        low, high = masks & ((1 << h) - 1), masks >> h
        sizes = _sizes(h)[low].astype(np.int64) + _sizes(n - h)[high]
        costs = _subset_sums([int(c) for c in cost[:h]])[low]
        costs += _subset_sums([int(c) for c in cost[h:]])[high]
    mean = costs / sizes
    keep = np.arange(m)
    if m > limit and (cut := np.partition(mean, limit - 1)[limit - 1]) == cut:  # (not NaN)
        keep = np.flatnonzero(mean <= cut)
        masks, sizes, mean = masks[keep], sizes[keep], mean[keep]
    first_item = np.frexp(masks & -masks)[1] - 1  # (the lowest item taken)
    out: Array = keep[np.lexsort((masks, first_item, sizes, mean))[:limit]]
    return out


def _in_range(sums: Array, lo: int, hi: int) -> Array:
    """The subsets (indexes) whose sum is in ``[lo, hi]``, by increasing sum."""
    keep = np.flatnonzero((sums >= lo) & (sums <= hi))
    out: Array = keep[np.argsort(sums[keep], kind="stable")]
    return out


def _pruned_pairs(
    a_vals: tuple[int, ...], b_vals: tuple[int, ...], lo: int, hi: int, max_pairs: int
) -> tuple[Array, Array] | None:
    """Every (first-half subset, second-half subset) whose sums add up to ``[lo, hi]``; None
    when more than ``max_pairs``. Half sums that no sum of the other half brings into the
    window are dropped before anything is sorted (most of them, for a payment that is a
    small part of what its payer owes)."""
    a_all, b_all = _half(a_vals), _half(b_vals)
    # (the largest and smallest subset sum of a half: its positive and its negative values)
    b_max, b_min = sum(v for v in b_vals if v > 0), sum(v for v in b_vals if v < 0)
    a_i = _in_range(a_all, lo - b_max, hi - b_min)
    if not len(a_i):
        return a_i, a_i
    a_sum = a_all[a_i]
    # the second half's sums that one of those kept brings into the window (by increasing sum)
    b_i = _in_range(b_all, lo - int(a_sum[-1]), hi - int(a_sum[0]))
    if not len(b_i):
        return b_i, b_i
    b_sum = b_all[b_i]
    start = np.searchsorted(b_sum, lo - a_sum, side="left")
    counts = np.searchsorted(b_sum, hi - a_sum, side="right") - start
    hit = np.flatnonzero(counts)
    counts = counts[hit]
    total = int(counts.sum())
    if total > max_pairs:
        return None
    if not total:
        return a_i[:0], b_i[:0]
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return a_i[np.repeat(hit, counts)], b_i[np.repeat(start[hit], counts) + offset]


def _first_pairs(
    values: Sequence[int], h: int, lo: int, hi: int, max_pairs: int
) -> tuple[Array, Array]:
    """The first ``max_pairs`` fitting pairs of half subsets in a fixed order (first half by
    decreasing sum, as sorted by :func:`_sorted_half`): the search over budget, its count a
    lower bound. Which pairs are kept depends on the sort, so it is the same sort whatever
    was pruned."""
    a_sum, a_sub = _sorted_half(tuple(values[:h]))
    b_sum, b_sub = _sorted_half(tuple(values[h:]))
    # the first half by decreasing sum: the queries into the second half then increase
    # (binary searches of increasing keys stay in cache: several times faster)
    a_sum, a_sub = a_sum[::-1], a_sub[::-1]
    start = np.searchsorted(b_sum, lo - a_sum, side="left")
    stop = np.searchsorted(b_sum, hi - a_sum, side="right")
    counts = stop - start
    hit = np.flatnonzero(counts)
    counts = counts[hit]
    keep = np.cumsum(counts) - counts < max_pairs
    hit, counts = hit[keep], np.minimum(counts[keep], max_pairs)
    total = int(counts.sum())
    ai = a_sub[np.repeat(hit, counts)]
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    bi = b_sub[np.repeat(start[hit], counts) + offset]
    return ai, bi
