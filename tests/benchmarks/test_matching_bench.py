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
    importlib.util.find_spec("rapprochement.parsers.camt") is None, reason="no CAMT parser yet"
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
