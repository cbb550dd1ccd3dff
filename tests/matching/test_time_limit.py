"""The group search has no wall clock by default (results never depend on machine load); an
explicit ``time_limit_s`` cuts it, and what it cuts is left open, never guessed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import rapprochement
from rapprochement.matching.config import MatchConfig
from tests.matching.test_scenarios import SCENARIOS, _csv


def _grouped(config: MatchConfig) -> rapprochement.ReconciliationResult:
    d = SCENARIOS / "grouped_exact_subset_sum"
    tx, inv = _csv(d / "transactions.csv"), _csv(d / "invoices.csv")
    assert tx is not None
    assert inv is not None
    return rapprochement.reconcile(tx, inv, config=config)


def test_default_search_has_no_clock_and_finds_the_group() -> None:
    assert MatchConfig().time_limit_s is None
    got = _grouped(MatchConfig()).allocations
    assert sorted(got["invoice_id"]) == ["FA-2026-000101", "FA-2026-000102", "FA-2026-000103"]
    assert set(got["kind"]) == {"grouped"}


def test_a_spent_time_limit_leaves_the_payment_open() -> None:
    res = _grouped(MatchConfig(time_limit_s=1e-9))
    assert "grouped" not in set(res.allocations["kind"])
    assert "T1" in set(res.unmatched_transactions["transaction_id"])


def test_time_limit_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        MatchConfig(time_limit_s=0)
