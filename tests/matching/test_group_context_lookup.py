"""The group search reads a payment's (IBAN, name) evidence for a customer from the sorted
candidate-pair arrays: the last pair of that payment and customer, as a dict filled pair by
pair would hold."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rapprochement.matching.config import MatchConfig
from rapprochement.matching.group_context import GroupContext


def _frames(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n_tx, n_inv = 40, 60
    tx = pd.DataFrame(
        {
            "amount": rng.integers(1, 9999, n_tx),
            "day": rng.integers(0, 99, n_tx),
            "name": [f"payer {k % 7}" for k in range(n_tx)],
        }
    )
    inv = pd.DataFrame(
        {
            "open": rng.integers(1, 9999, n_inv),
            "customer_id": [f"C{k % 9}" for k in range(n_inv)],
            "customer_name": [f"payer {k % 9}" for k in range(n_inv)],
            "issue_day": rng.integers(0, 50, n_inv),
            "due_day": rng.integers(-1, 90, n_inv),
        }
    )
    key = np.unique(rng.integers(0, n_tx * n_inv, 500))
    pairs = pd.DataFrame(
        {
            "tx": key // n_inv,
            "inv": key % n_inv,
            "ref": rng.integers(0, 8, len(key)).astype(np.int8),
            "customer_id": inv["customer_id"].to_numpy(dtype=object)[key % n_inv],
            "iban": rng.integers(0, 3, len(key)).astype(np.int8),
            "name_sim": rng.uniform(0, 100, len(key)),
        }
    )
    return tx, inv, pairs


def test_evidence_equals_last_pair_of_customer() -> None:
    rng = np.random.default_rng(11)
    tx, inv, pairs = _frames(rng)
    expected: dict[tuple[int, str], tuple[str, float]] = {}
    levels = ("known", "other", "unknown")
    for t, c, ib, ns in zip(pairs["tx"], pairs["customer_id"], pairs["iban"],
                            pairs["name_sim"], strict=True):  # fmt: skip
        expected[(int(t), c)] = (levels[int(ib)], float(ns))
    for frame in (pairs, pairs.sample(frac=1.0, random_state=1)):
        ctx = GroupContext(tx, inv, frame, MatchConfig(), "EUR")
        if frame is not pairs:  # unsorted input: the last in (stable) payment order wins
            exp = {}
            order = frame.sort_values("tx", kind="stable")
            for t, c, ib, ns in zip(order["tx"], order["customer_id"], order["iban"],
                                    order["name_sim"], strict=True):  # fmt: skip
                exp[(int(t), c)] = (levels[int(ib)], float(ns))
        else:
            exp = expected
        for t in range(len(tx)):
            for c in sorted(set(inv["customer_id"])):
                assert ctx.evidence(t, c) == exp.get((t, c))
        assert ctx.evidence(0, "no such customer") is None
