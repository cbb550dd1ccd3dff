"""CI regression guard: a small quick-tier accuracy run of rapprochement on the committed seed.

Fails when the precision of automatic allocations drops below 99.5 % or the overall F1 falls
more than 1 point below the committed figure (``benchmarks/baseline_figures.json``, written by
``make bench``). A guard on accuracy, not a timing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.generator import generate
from benchmarks.matching import matcher

from benchmarks import metrics

FIGURES = Path(__file__).resolve().parents[2] / "benchmarks" / "baseline_figures.json"
AUTO_PRECISION_FLOOR = 0.995
F1_SLACK = 0.01


@pytest.mark.slow
def test_matcher_accuracy_has_not_regressed() -> None:
    reconcile = matcher()
    if reconcile is None:
        pytest.skip("rapprochement.reconcile is not there yet")
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    committed = figures["methods"].get("rapprochement")
    if committed is None:
        pytest.skip("baseline_figures.json has no rapprochement figures yet: run `make bench`")
    ds = generate(figures["seed"], figures["n"], figures["difficulty"])
    result = reconcile(
        ds.transactions, ds.invoices, remittances=ds.remittances, customers=ds.customers
    )
    got = metrics.evaluate(result.allocations, ds.truth)
    assert got["auto_precision"] >= AUTO_PRECISION_FLOOR, got
    assert got["f1"] >= committed["f1"] - F1_SLACK, (got["f1"], committed["f1"])


def test_committed_figures_are_well_formed() -> None:
    figures = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert figures["seed"] >= 1000  # an evaluation seed, never a training one
    assert {"baseline: exact amount", "baseline: ERP rules"} <= set(figures["methods"])
    for m in figures["methods"].values():
        assert 0.0 <= m["f1"] <= 1.0
