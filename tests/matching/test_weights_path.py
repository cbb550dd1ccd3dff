"""``MatchConfig(weights_path=...)`` scores with another weights file (its weights, calibration
and learned thresholds); a missing or invalid file is a ConfigError naming it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

import rapprochement
from rapprochement.errors import ConfigError
from rapprochement.matching.config import MatchConfig
from tests.matching.test_scenarios import SCENARIOS, _csv


def _shipped() -> dict[str, object]:
    text = resources.files("rapprochement.matching").joinpath("weights.json").read_text()
    doc: dict[str, object] = json.loads(text)
    return doc


def _run(config: MatchConfig) -> rapprochement.ReconciliationResult:
    d = SCENARIOS / "grouped_exact_subset_sum"
    tx, inv = _csv(d / "transactions.csv"), _csv(d / "invoices.csv")
    assert tx is not None
    assert inv is not None
    return rapprochement.reconcile(tx, inv, config=config)


def test_a_copy_of_the_shipped_weights_gives_the_same_result(tmp_path: Path) -> None:
    path = tmp_path / "same.json"
    path.write_text(json.dumps(_shipped()), encoding="utf-8")
    shipped = _run(MatchConfig()).allocations
    mine = _run(MatchConfig(weights_path=str(path))).allocations
    assert len(shipped)
    assert mine[["transaction_id", "invoice_id", "status", "score"]].equals(
        shipped[["transaction_id", "invoice_id", "status", "score"]]
    )


def test_the_file_s_weights_and_thresholds_are_used(tmp_path: Path) -> None:
    doc = _shipped()
    doc["auto_threshold"] = 1.0  # nothing is ever sure enough
    doc["prior"] = float(doc["prior"]) - 3.0  # type: ignore[arg-type]
    path = tmp_path / "strict.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    shipped = _run(MatchConfig()).allocations
    strict = _run(MatchConfig(weights_path=str(path))).allocations
    assert (shipped["status"] == "auto").any()
    assert not (strict["status"] == "auto").any()
    assert strict["score"].max() < shipped["score"].max()


def test_the_setting_round_trips_through_json() -> None:
    c = MatchConfig(weights_path="/tmp/w.json")
    assert MatchConfig.model_validate_json(c.model_dump_json()) == c
    assert MatchConfig().weights_path is None


@pytest.mark.parametrize("content", [None, "{not json", '{"version": 1}'])
def test_a_missing_or_invalid_file_is_a_config_error(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "weights.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="weights") as err:
        _run(MatchConfig(weights_path=str(path)))
    assert str(path) in str(err.value)
