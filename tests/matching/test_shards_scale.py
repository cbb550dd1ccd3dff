"""Sharded equals single process at scale (issue 16, "Done when"): on hard generated books of
2 000 and 10 000 payments, two seeds each, the payment-shard stages run on a random number of
shards with random membership or the executor's contiguous split (and the payments in a random
order) give exactly the single-process result: allocations, unmatched, open invoices,
ambiguous, duplicates and rivals, frame for frame, explanations included. The same comparison
on Spark (classic and Connect) is in tests/spark.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from benchmarks.generator import Dataset, generate
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import rapprochement
from rapprochement.matching.executor import InProcess
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


def _check(
    seed: int, n: int, shards: int, membership: int, shuffled: bool, contiguous: bool = False
) -> None:
    ds, single = _book(seed, n)
    order = None
    if shuffled:
        order = np.random.default_rng(membership).permutation(len(ds.transactions))
    # the executor's own contiguous runs of payments, or a random membership
    executor = InProcess(shards) if contiguous else RandomShards(shards, membership)
    assert_same(single, _run(ds, executor, order))


_DRAWS = {
    "shards": st.integers(2, 8),
    "membership": st.integers(0, 2**32 - 1),
    "shuffled": st.booleans(),
    "contiguous": st.booleans(),
}
_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}


@pytest.mark.parametrize("seed", SEEDS)
@settings(max_examples=2, **_SETTINGS)  # type: ignore[arg-type]
@given(**_DRAWS)
# the executor's default split in two, in the input order, on every run
@example(shards=2, membership=0, shuffled=False, contiguous=True)
def test_sharded_equals_single_process_2000(
    seed: int, shards: int, membership: int, shuffled: bool, contiguous: bool
) -> None:
    _check(seed, 2000, shards, membership, shuffled, contiguous)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@settings(max_examples=1, **_SETTINGS)  # type: ignore[arg-type]
@given(**_DRAWS)
def test_sharded_equals_single_process_10000(
    seed: int, shards: int, membership: int, shuffled: bool, contiguous: bool
) -> None:
    _check(seed, 10_000, shards, membership, shuffled, contiguous)
