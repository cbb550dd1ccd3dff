"""The learning table of the ledger benchmark: it measures what it says, on a tiny book."""

from __future__ import annotations

from pathlib import Path

from benchmarks import ledger


def test_the_reviewer_accepts_only_wholly_right_suggestions(tmp_path: Path) -> None:
    for world, rates in ledger.LEARN_WORLDS.items():
        res = ledger._learning(200, 101, tmp_path, **rates)
        blind, taught = res["no review"], res["reviewer accepts right suggestions"]
        assert blind["accepted"] == 0, world
        assert taught["accepted"] > 0, world
        for v in (blind, taught):
            assert v["new_auto_right"] <= v["new_auto_pairs"]
    assert {p.name for p in tmp_path.iterdir()} == {
        "learn-base",
        "learn-payer_not_customer-0.5",
    }
