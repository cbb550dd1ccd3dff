"""Sharded equals single process, exactly (issue 16): blocking and the group search run per
payment shard (:mod:`rapprochement.matching.shards`) give the same result frames as one shard,
whatever the shard count, the shard membership, the executor or the input row order.

Books from the benchmark generator (hard difficulty: references garbled, groups, advice lines,
learned payers, duplicates), small so that Hypothesis can try many.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from benchmarks.generator import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rapprochement
from rapprochement.errors import ConfigError
from rapprochement.matching import shards as shard_stages
from rapprochement.matching.executor import InProcess, ProcessPool, split_payments

FRAMES = (
    "allocations",
    "unmatched_transactions",
    "open_invoices",
    "ambiguous",
    "duplicates",
    "rivals",
)


class RandomShards(InProcess):
    """``k`` shards of random membership (a seeded draw), run in this process."""

    def __init__(self, shards: int, seed: int) -> None:
        super().__init__(shards)
        self.seed = seed

    def shards(self, n_payments: int) -> list[np.ndarray[Any, Any]]:
        rng = np.random.default_rng(self.seed)
        label = rng.integers(0, self.n_shards, n_payments)
        return [np.flatnonzero(label == k) for k in range(self.n_shards)]


def assert_same(
    a: rapprochement.ReconciliationResult, b: rapprochement.ReconciliationResult
) -> None:
    """Every result frame equal, row for row (explanations included), and the counts."""
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert (a.n_incoming, a.n_incoming_matched) == (b.n_incoming, b.n_incoming_matched)


def _run(ds: Any, executor: Any = None, order: Any = None) -> rapprochement.ReconciliationResult:
    tx = ds.transactions if order is None else ds.transactions.iloc[order]
    return rapprochement.reconcile(
        tx,
        ds.invoices,
        remittances=ds.remittances,
        customers=ds.customers,
        executor=executor,
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(20, 160),
    shards=st.integers(2, 3),
    membership=st.integers(0, 2**32 - 1),
)
def test_sharded_equals_single_process(seed: int, n: int, shards: int, membership: int) -> None:
    ds = generate(seed, n, "hard")
    single = _run(ds)
    assert len(single.allocations)
    assert_same(single, _run(ds, InProcess(shards)))
    assert_same(single, _run(ds, RandomShards(shards, membership)))
    # the payments given in another order, sharded at random
    order = np.random.default_rng(membership).permutation(len(ds.transactions))
    assert_same(single, _run(ds, RandomShards(shards, membership), order))


def test_process_pool_equals_in_process() -> None:
    ds = generate(7, 300, "hard")
    assert_same(_run(ds), _run(ds, ProcessPool(workers=2, shards=3)))


def test_a_shard_blocked_run_by_run_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    # each shard blocked in runs of a few payments, the payer-name cache emptied after each
    ds = generate(11, 300, "hard")
    single = _run(ds)
    monkeypatch.setattr(shard_stages, "BLOCK_RUN", 7)
    assert_same(single, _run(ds, InProcess(2)))
    assert_same(single, _run(ds, RandomShards(3, 5)))


def test_split_payments() -> None:
    parts = split_payments(7, 3)
    assert [p.tolist() for p in parts] == [[0, 1, 2], [3, 4], [5, 6]]
    assert [p.tolist() for p in split_payments(2, 5)] == [[0], [1]]
    with pytest.raises(ConfigError, match="at least one shard"):
        split_payments(5, 0)
