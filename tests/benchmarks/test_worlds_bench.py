"""The worlds section and the leave-one-world-out fits run, on tiny books."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from benchmarks.worlds import WORLDS, generate_world

from benchmarks import lowo, train, worlds_bench
from rapprochement.matching.scoring import Weights


def test_section_has_a_table_per_world_and_the_lowo_table() -> None:
    text = worlds_bench.run("test", 1000)
    assert text.startswith("## Worlds (seed 1000, 150 customer payments each)")
    for world in WORLDS:
        assert f"| {world} | rapprochement |" in text
        assert f"| {world} | baseline: ERP rules |" in text
        assert f"### Recall per kind and per noise tag: {world}" in text
        assert f"| {world} | {lowo.HELD_OUT} |" in text
        assert f"| {world} | {lowo.SEEN} |" in text
    assert "| us_ar | fit without it (held out) | eu_sme + marketplace |" in text
    assert "suggestion_precision" in text
    assert "| marketplace (stress: overlapping payouts) | rapprochement |" in text


def test_lowo_fits_without_the_held_out_world(tmp_path: Path) -> None:
    books = {w: generate_world(w, 1000, 80) for w in ("eu_sme", "us_ar")}
    table = lowo.leave_one_world_out(books, 80, (1,), tmp_path)
    held = table[table["weights"] == lowo.HELD_OUT]
    assert list(held["world"]) == ["eu_sme", "us_ar"]
    assert list(held["fitted on"]) == ["us_ar", "eu_sme"]
    assert table["f1"].between(0, 1).all()
    doc = json.loads((tmp_path / "weights-without-us_ar.json").read_text(encoding="utf-8"))
    assert doc["trained_on"]["worlds"] == ["eu_sme"]
    Weights.model_validate(doc)


def test_lowo_refuses_evaluation_seeds(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="evaluation seeds"):
        lowo.leave_one_world_out(
            {"us_ar": generate_world("us_ar", 1000, 20)}, 20, (1000,), tmp_path
        )


def test_missed_targets() -> None:
    ok = {"auto_precision": 0.999, "f1": 0.97, "grouped_recall": 0.95, "suggestion_precision": 0.9}
    assert lowo.missed(ok) == "none"
    assert lowo.missed({**ok, "f1": 0.5, "grouped_recall": float("nan")}) == "f1"


def test_train_command_fits_a_world_mix_into_a_file(tmp_path: Path) -> None:
    out = tmp_path / "w.json"
    train.main(["--seeds", "1", "--payments", "80", "--worlds", "us_ar", "marketplace",
                "--out", str(out)])  # fmt: skip
    doc = json.loads(out.read_text(encoding="utf-8"))
    Weights.model_validate(doc)
    assert doc["trained_on"]["worlds"] == ["us_ar", "marketplace"]
    assert doc["trained_on"]["seeds"] == [1]
    # the training books' chance agreement, which a book reconciled later is compared with
    assert 0 < doc["chance"]["amount"]["partial"] < 1
    assert doc["chance"]["items"]["open"] > 0


def test_train_refuses_evaluation_seeds(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        train.main(["--seeds", "1000", "--out", str(tmp_path / "w.json")])


def test_the_auto_threshold_holds_on_each_world() -> None:
    import numpy as np

    # world a: many easy allocations; world b: its high scores are overconfident
    scores = np.r_[np.linspace(0.9, 1.0, 1000), np.linspace(0.9, 1.0, 100)]
    right = np.r_[np.ones(1000), np.where(np.arange(100) < 50, 0.0, 1.0)]
    worlds = np.array(["a"] * 1000 + ["b"] * 100, dtype=object)
    pooled, _ = train.auto_threshold(scores, right, np.array([""] * 1100, dtype=object), 0.99)
    t, by_world = train.auto_threshold(scores, right, worlds, 0.99, 0.99)
    assert set(by_world) == {"a", "b"}
    assert t == max(by_world.values()) > pooled
    assert right[(worlds == "b") & (scores >= t)].mean() >= 0.99


def test_the_scenario_gate_names_a_wrong_automatic_allocation() -> None:
    import pandas as pd

    from benchmarks import scenario_gate

    exp = pd.DataFrame(
        {"transaction_id": ["T1"], "invoice_id": ["F-2"], "amount": ["10.00"],
         "status": ["suggested"], "kind": ["one_to_one"]}
    )  # fmt: skip
    got = exp.assign(invoice_id="F-1", status="auto", amount=[Decimal("10.00")])
    assert scenario_gate.compare(got, exp) == (False, True)
    held = exp.assign(status="suggested", amount=[Decimal("10.00")])
    assert scenario_gate.compare(held, exp) == (True, False)
