"""Recall features (issue #3): duplicates, payments adding up to one invoice, shared
instalment candidates, the calibration map and its fit."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from rapprochement.matching.features import amount_level, instalment_pairs, siblings_level
from rapprochement.matching.scoring import Weights, calibrate, contributions, load_weights
from tests.matching.test_scenarios import run


def test_duplicate_payment_is_listed_with_the_payment_it_repeats() -> None:
    res = run("duplicate_payment")
    assert res.duplicates.to_dict("records") == [
        {"transaction_id": "T2", "duplicate_of": "T1", "invoice_id": "INV0000123"}
    ]
    assert "duplicate of T1" in res.explain("T2")
    assert res.summary()["duplicates"] == 1
    assert "T2" in set(res.unmatched_transactions["transaction_id"])


def test_duplicate_without_reference_is_not_allocated_elsewhere() -> None:
    res = run("duplicate_after_settled")
    assert "T2" not in set(res.allocations["transaction_id"])
    assert list(res.duplicates["transaction_id"]) == ["T2"]


def test_no_duplicates_when_every_payment_is_matched() -> None:
    res = run("instalments_partial")
    assert res.duplicates.empty
    assert res.summary()["duplicates"] == 0


def test_split_payment_parts_stay_partial_even_when_one_looks_like_a_fee() -> None:
    res = run("split_payment_sums_to_invoice")
    assert set(res.allocations["kind"]) == {"partial"}
    assert res.open_invoices[res.open_invoices["invoice_id"] == "FA-2026-000578"].empty
    assert '"siblings","value":"sum"' in res.allocations["explanation"].iat[0]


def _sibling_frame(amounts: list[int], open_: int) -> pd.DataFrame:
    n = len(amounts)
    return pd.DataFrame({"tx": range(n), "inv": [7] * n, "a": amounts, "o": [open_] * n})


def test_siblings_level_marks_the_one_set_adding_up_to_the_invoice() -> None:
    levels = siblings_level(_sibling_frame([30000, 30000, 40000, 12345], 100000))
    assert list(levels) == ["sum", "sum", "sum", "none"]


def test_siblings_level_flags_several_sets_as_rivals() -> None:
    levels = siblings_level(_sibling_frame([500, 500, 500], 1000))
    assert set(levels) == {"sum_rival"}


def test_siblings_level_ignores_payments_not_short_of_the_invoice() -> None:
    levels = siblings_level(_sibling_frame([1000, 1000], 1000))
    assert list(levels) == ["none", "none"]


def test_instalments_of_one_payer_share_their_candidate_invoices() -> None:
    tx = pd.DataFrame(
        {"amount": np.array([25000, 25000, 99], dtype=np.int64), "day": np.array([0, 30, 90])}
    )
    inv = pd.DataFrame({"open": np.array([100000, 70000], dtype=np.int64)})
    pairs = pd.DataFrame(
        {
            "tx": np.array([0, 1, 2], dtype=np.int64),
            "inv": np.array([0, 1, 1], dtype=np.int64),
            "ref": np.array([1, 6, 6], dtype=np.int64),
            "customer_id": ["C1", "C1", "C1"],
            "iban": np.array([0, 0, 2], dtype=np.int64),
            "name_sim": [100.0, 96.0, 80.0],
        }
    )
    out = instalment_pairs(pairs, tx, inv)
    got = set(zip(out["tx"], out["inv"], out["ref"], out["iban"], strict=True))
    # each 250.00 payment gains the other's invoice, without a reference, with its own IBAN
    assert got == {(0, 0, 1, 0), (1, 1, 6, 0), (2, 1, 6, 2), (0, 1, 6, 0), (1, 0, 6, 0)}
    assert list(out.columns) == list(pairs.columns)


def test_amount_far_above_the_invoice_is_its_own_level() -> None:
    from rapprochement.matching.config import MatchConfig

    got = amount_level(
        np.array([1_200_000, 1_600_000]), np.array([1_000_000, 1_000_000]), MatchConfig(), "EUR"
    )
    assert list(got) == ["over", "over_large"]


def _weights(knots: list[tuple[float, float]]) -> Weights:
    return Weights(
        version=1,
        prior=0.0,
        weights={},
        auto_threshold=0.9,
        suggest_threshold=0.01,
        calibration=knots,
    )


def test_calibration_interpolates_and_keeps_the_slope_beyond_its_knots() -> None:
    w = _weights([(-2.0, 0.2), (0.0, 0.6), (2.0, 0.9)])
    p = calibrate(np.array([-5.0, -2.0, -1.0, 0.0, 2.0, 4.0]), w)
    assert p[1] == pytest.approx(0.2)
    assert p[2] == pytest.approx(0.4)
    assert p[4] == pytest.approx(0.9)
    assert np.all(np.diff(p) > 0)
    # beyond the last knot the log-odds grow with slope one
    assert math.log(p[5] / (1 - p[5])) == pytest.approx(math.log(9) + 2.0)


def test_without_a_map_the_score_is_the_logistic_function() -> None:
    p = calibrate(np.array([0.0, 2.0]), _weights([]))
    assert p == pytest.approx([0.5, 1 / (1 + math.exp(-2.0))])


def test_calibration_knots_must_increase() -> None:
    with pytest.raises(ValidationError):
        _weights([(0.0, 0.6), (1.0, 0.5)])
    with pytest.raises(ValidationError):
        _weights([(1.0, 0.5), (0.0, 0.6)])


def test_explanation_ends_with_the_calibration_term() -> None:
    w = load_weights()
    assert w.calibration, "the shipped weights carry a calibration map"
    terms = contributions({"amount": "exact", "reference": "checksum"}, w)
    assert terms[-1].feature == "calibration"
    raw = sum(c.weight for c in terms[:-1])
    total = sum(c.weight for c in terms)
    assert 1 / (1 + math.exp(-total)) == pytest.approx(float(calibrate(np.array([raw]), w)[0]))


def test_isotonic_fit_is_monotone_and_never_certain() -> None:
    from benchmarks.train import isotonic

    rng = np.random.default_rng(0)
    x = rng.normal(size=2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(-2 * x))).astype(float)
    knots = isotonic(x, y, min_count=50)
    xs = [k[0] for k in knots]
    ps = [k[1] for k in knots]
    assert xs == sorted(set(xs))
    assert ps == sorted(ps)
    assert 0.0 < ps[0] < 0.5 < ps[-1] < 1.0
