"""The statistics of the fit (benchmarks/fitting.py, ADR 0027): order constraints, a prior
centre, the Wilson bound of a threshold, and the floor of the automatic threshold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import fitting, train


def _design(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    # column 1: a strong level, column 2: a weaker level of the same feature whose few
    # observations happen to be all right (so, unconstrained, it outweighs the strong one)
    a = (rng.random(n) < 0.3).astype(float)
    b = np.where(a == 0, (rng.random(n) < 0.05).astype(float), 0.0)
    y = np.where(a == 1, rng.random(n) < 0.8, rng.random(n) < 0.1).astype(float)
    y[b == 1] = 1.0
    return np.column_stack([np.ones(n), a, b]), y


def test_an_order_between_levels_holds_in_the_fit() -> None:
    x, y = _design(np.random.default_rng(0), 3000)
    free = fitting.fit_logistic(x, y, 1.0)
    assert free[2] > free[1]  # the weaker level outweighs the stronger one by chance
    kept = fitting.fit_logistic(x, y, 1.0, order=[(1, 2), (-1, 1)])
    assert kept[2] <= kept[1] + 1e-6
    assert kept[1] <= 1e-6  # the baseline (weight 0) is at least as strong as column 1


def test_the_penalty_pulls_toward_its_centre() -> None:
    x = np.column_stack([np.ones(40), np.r_[np.ones(2), np.zeros(38)]])
    y = np.r_[np.zeros(2), (np.arange(38) % 2).astype(float)]
    centre = np.array([0.0, 3.0])
    to_zero = fitting.fit_logistic(x, y, 5.0)
    to_centre = fitting.fit_logistic(x, y, 5.0, center=centre)
    assert to_zero[1] < 0 < to_centre[1]  # two observations, and a prior of 3


def test_order_pairs_name_columns_and_baselines() -> None:
    cols = [("name", "high"), ("name", "medium"), ("name", "low"), ("iban", "other")]
    pairs = fitting.order_pairs(cols)
    assert (-1, 1) in pairs  # exact (the baseline) >= high
    assert (1, 2) in pairs  # high >= medium
    assert (2, 3) in pairs  # medium >= low
    assert all(-1 <= i <= len(cols) and -1 <= j <= len(cols) for i, j in pairs)


def test_the_wilson_bound_needs_more_allocations_than_the_share() -> None:
    assert fitting.wilson_lower(np.array([997.0]), np.array([1000.0]), 0.0) == 0.997
    few = fitting.wilson_lower(np.array([199.0]), np.array([200.0]), 1.0)
    many = fitting.wilson_lower(np.array([1990.0]), np.array([2000.0]), 1.0)
    assert few < many < 0.995


def test_the_threshold_with_a_bound_is_higher_on_few_allocations() -> None:
    scores = np.linspace(0.5, 1.0, 400)
    right = np.ones(400)
    right[[10, 20, 150]] = 0.0  # three wrong ones: 99.25 % right in all
    point = fitting.precision_threshold(scores, right, 0.99)
    bound = fitting.precision_threshold(scores, right, 0.99, z=1.0)
    assert point < bound <= 1.0
    assert right[scores >= bound].mean() >= 0.99


def test_the_auto_threshold_keeps_its_floor(tmp_path: Path) -> None:
    # low scores right a third of the time, the others always: lax precision targets alone
    # make the low band automatic too
    right = np.ones(300)
    right[:90] = np.arange(90) % 3 == 0
    al = train.Allocations(
        raw=np.linspace(-3.0, 6.0, 300),
        right=right,
        ambiguous=np.zeros(300, dtype=bool),
        world=np.array(["a"] * 150 + ["b"] * 150, dtype=object),
    )
    doc = {"version": 1, "prior": 0.0, "weights": {}, "auto_threshold": 0.99,
           "suggest_threshold": 0.05, "trained_on": {}}  # fmt: skip
    doc["calibration"] = train.isotonic(al.raw, al.right)
    lax = train.Options(precision=0.8, world_precision=0.8, z=0.0, auto_floor=0.0)
    low = train.thresholds(dict(doc), al, lax, tmp_path / "a.json")
    floored = dataclasses.replace(lax, auto_floor=0.95)
    high = train.thresholds(dict(doc), al, floored, tmp_path / "b.json")
    assert low["auto_threshold"] < 0.95 <= high["auto_threshold"]


def test_coefficients_keep_the_orders() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    name = rng.choice(["exact", "high", "low"], n, p=[0.5, 0.45, 0.05])
    y = np.where(name == "exact", rng.random(n) < 0.7, rng.random(n) < 0.2)
    y[name == "low"] = True  # a handful of low names, all right by chance
    data = pd.DataFrame({f: train.FEATURE_LEVELS[f][0] for f in train.FEATURES}, index=range(n))
    data["name"] = name
    data["y"] = y
    _, free = train.coefficients(data, train.Options(monotone=False))
    _, kept = train.coefficients(data, train.Options(monotone=True))
    assert free["name"]["low"] > free["name"]["high"]
    assert kept["name"]["low"] <= kept["name"]["high"] <= 0.0
