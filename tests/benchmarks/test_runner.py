"""The runner writes RESULTS.md, the plots and the figures JSON (tiny book, no speed, no peers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.__main__ import main


def test_runner_writes_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--tier", "quick", "--no-speed", "--no-peers", "--payments", "120", "--out"]
    assert main([*args, str(tmp_path)]) == 0
    text = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "Evaluation seeds: [1000]" in text
    assert "| hard | baseline: ERP rules |" in text
    assert "Machine:" in text
    assert "Versions:" in text
    assert (tmp_path / "precision_recall.png").stat().st_size > 1000
    figures = json.loads((tmp_path / "baseline_figures.json").read_text(encoding="utf-8"))
    assert figures["n"] == 120
    assert figures["seed"] == 1000
    assert "wrote" in capsys.readouterr().out


def test_runner_refuses_development_seeds() -> None:
    with pytest.raises(SystemExit):
        main(["--seed", "3"])


def test_the_scale_section_measures_every_method_per_size() -> None:
    from benchmarks.__main__ import _scale_md

    from benchmarks import matching

    scale = matching.accuracy_by_size([150], 1000)
    assert set(scale["method"]) == set(matching.available_methods())
    assert (scale["size"] == 150).all()
    assert scale["recall"].between(0, 1).all()
    small = matching.accuracy([1000], 100, ("hard",))["mean"]
    text = _scale_md(scale, small, 100, 1000)
    assert "Accuracy as the book grows (hard, seed 1000)" in text
    assert "| 150 | rapprochement |" in text
    assert "| 100 | rapprochement |" in text
