"""The accuracy and speed harness on tiny books (a smoke test, not a timing)."""

from __future__ import annotations

import importlib.util

import pytest

from benchmarks import matching


def test_accuracy_tables_have_every_available_method() -> None:
    acc = matching.accuracy([1000], 150, ("easy",))
    methods = set(acc["mean"]["method"])
    assert {"baseline: exact amount", "baseline: ERP rules"} <= methods
    assert ("rapprochement" in methods) == (matching.matcher() is not None)
    assert acc["mean"]["f1"].between(0, 1).all()


@pytest.mark.skipif(
    importlib.util.find_spec("rapprochement.parsers.camt.reader") is None,
    reason="no CAMT parser yet",
)
def test_speed_rows_measure_each_step_in_a_subprocess() -> None:
    spd = matching.speed([150], 1000, timeout=300)
    steps = set(zip(spd["step"], spd["method"], strict=True))
    assert ("parse CAMT.053", "rapprochement") in steps
    assert ("match", "baseline: ERP rules") in steps
    ok = spd[spd["step"] != "generate"]
    assert "error" not in ok.columns or ok["error"].isna().all()
    assert (ok["seconds"] > 0).all()
    assert (ok["rss_mib"] > 10).all()


def test_peak_rss_is_positive() -> None:
    assert matching.peak_rss_mib() > 1


def test_memory_projection_follows_the_measured_slope() -> None:
    # fixed part 100 MiB + 1 MiB per 1 000 rows: the slope sees it, a proportional rule does not
    projected, basis = matching._project(1_000_000, [(10_000, 110.0), (100_000, 200.0)])
    assert projected == 200.0 + 900.0
    assert "slope" in basis
    assert matching._project(1_000_000, [(100_000, 200.0)])[0] == 2000.0
    # a peak that did not grow is never projected below the last measure
    assert matching._project(1_000_000, [(10_000, 300.0), (100_000, 250.0)])[0] == 250.0
