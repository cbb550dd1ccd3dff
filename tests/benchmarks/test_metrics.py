"""Metrics on hand-made tiny frames."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import pytest

from benchmarks import metrics

D = Decimal

TRUTH = pd.DataFrame(
    [
        ("T1", "I1", D("100.00"), "one_to_one", ""),
        ("T2", "I2", D("50.00"), "grouped", "equal_amounts"),
        ("T2", "I3", D("30.00"), "grouped", ""),
        ("T3", None, D("20.00"), "unrelated", ""),
        ("T4", "I4", D("10.00"), "overpayment", ""),
        ("T4", None, D("5.00"), "overpayment", ""),
    ],
    columns=["transaction_id", "invoice_id", "amount", "kind", "tags"],
)


def alloc(rows: list[tuple[str, str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(t, i, D(a), s, sc) for t, i, a, s, sc in rows],
        columns=["transaction_id", "invoice_id", "amount", "status", "score"],
    )


A = alloc(
    [
        ("T1", "I1", "100.00", "auto", 0.99),
        ("T2", "I2", "50.00", "auto", 0.97),
        ("T2", "I9", "30.00", "suggested", 0.6),  # wrong
        ("T3", "I5", "20.00", "suggested", 0.4),  # unrelated line matched: wrong
        ("T4", "I4", "15.00", "auto", 0.9),  # right pair, wrong amount (excess allocated)
    ]
)


def test_pair_scores() -> None:
    s = metrics.pair_scores(A, TRUTH)
    assert (s["tp"], s["fp"], s["fn"]) == (3, 2, 1)
    assert s["precision"] == pytest.approx(3 / 5)
    assert s["recall"] == pytest.approx(3 / 4)
    assert s["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    auto = metrics.pair_scores(A, TRUTH, ("auto",))
    assert auto["precision"] == 1.0
    assert auto["recall"] == pytest.approx(3 / 4)


def test_amount_accuracy_and_split_rows_summed() -> None:
    assert metrics.amount_accuracy(A, TRUTH) == pytest.approx(2 / 3)
    split = alloc([("T1", "I1", "60.00", "auto", 0.9), ("T1", "I1", "40.00", "auto", 0.9)])
    assert metrics.amount_accuracy(split, TRUTH) == 1.0


def test_recall_by_kind_handles_rows_without_invoice() -> None:
    r = metrics.recall_by(A, TRUTH).set_index("kind")["recall"]
    assert r["one_to_one"] == 1.0
    assert r["grouped"] == 0.5
    assert r["unrelated"] == 0.0  # T3 was allocated
    assert r["overpayment"] == 0.5  # pair found, but the excess was allocated too
    tags = metrics.recall_by(A, TRUTH, "tags").set_index("tags")["recall"]
    assert tags["equal_amounts"] == 1.0


def test_evaluate_and_empty() -> None:
    e = metrics.evaluate(A, TRUTH)
    assert e["auto_precision"] == 1.0
    assert e["suggestion_precision"] == 0.0
    assert e["grouped_recall"] == 0.5
    empty = metrics.evaluate(A.iloc[0:0], TRUTH)
    assert empty["recall"] == 0.0
    assert math.isnan(empty["precision"])


def test_calibration_and_threshold_curve() -> None:
    cal = metrics.calibration(A, TRUTH, bins=2)
    assert cal["n"].sum() == 5
    high = cal[cal["bucket"].str.endswith("1.0]")].iloc[0]
    assert high["observed"] == pytest.approx(3 / 4)  # 0.6 is in (0.5, 1.0] and wrong
    low = cal[~cal["bucket"].str.endswith("1.0]")].iloc[0]
    assert (low["n"], low["observed"]) == (1, 0.0)
    curve = metrics.threshold_curve(A, TRUTH, [0.0, 0.95]).set_index("threshold")
    assert curve.loc[0.95, "precision"] == 1.0
    assert curve.loc[0.95, "recall"] == pytest.approx(0.5)
    assert curve.loc[0.0, "n"] == 5


def test_ambiguity_refusals() -> None:
    amb = pd.DataFrame({"transaction_id": ["T2", "T1"]})
    r = metrics.ambiguity_refusals(amb, TRUTH)
    assert r["refused"] == 2
    assert r["justified"] == 0.5
    assert metrics.ambiguity_refusals(None, TRUTH)["refused"] == 0
