"""Sharded equals single process at scale (issue 16, "Done when"): on hard generated books of
2 000 and 10 000 payments, two seeds each, the payment-shard stages run on a random number of
shards with random membership (and the payments in a random order) give exactly the
single-process result: allocations, unmatched, open invoices, ambiguous, duplicates and rivals,
frame for frame, explanations included. The same comparison on Spark (classic and Connect) is
in tests/spark.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from benchmarks.generator import Dataset, generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rapprochement
from tests.matching.test_shards import RandomShards, _run, assert_same

SEEDS = (3, 29)


@cache
def _book(seed: int, n: int) -> tuple[Dataset, rapprochement.ReconciliationResult]:
    """A hard book and its single-process result, once per test process."""
    ds = generate(seed, n, "hard")
    single = _run(ds)
    # a book that exercises every frame the property compares
    for name in ("allocations", "unmatched_transactions", "ambiguous", "duplicates"):
        assert len(getattr(single, name)), f"seed {seed}, {n} payments: no {name}"
    return ds, single


def _check(seed: int, n: int, shards: int, membership: int, shuffled: bool) -> None:
    ds, single = _book(seed, n)
    order = None
    if shuffled:
        order = np.random.default_rng(membership).permutation(len(ds.transactions))
    assert_same(single, _run(ds, RandomShards(shards, membership), order))


_DRAWS = {
    "shards": st.integers(2, 8),
    "membership": st.integers(0, 2**32 - 1),
    "shuffled": st.booleans(),
}
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@pytest.mark.parametrize("seed", SEEDS)
@settings(max_examples=3, **_SETTINGS)  # type: ignore[arg-type]
@given(**_DRAWS)
def test_sharded_equals_single_process_2000(
    seed: int, shards: int, membership: int, shuffled: bool
) -> None:
    _check(seed, 2000, shards, membership, shuffled)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@settings(max_examples=1, **_SETTINGS)  # type: ignore[arg-type]
@given(**_DRAWS)
def test_sharded_equals_single_process_10000(
    seed: int, shards: int, membership: int, shuffled: bool
) -> None:
    _check(seed, 10_000, shards, membership, shuffled)
