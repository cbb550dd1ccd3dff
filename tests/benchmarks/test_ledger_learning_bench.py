"""The learning table of the ledger benchmark: it measures what it says, on a tiny book."""

from __future__ import annotations

from pathlib import Path

from benchmarks import ledger


def test_the_reviewer_decides_every_suggestion_as_a_whole(tmp_path: Path) -> None:
    labels = [label for label, _, _ in ledger.LEARN_ROWS]
    for world, rates in ledger.LEARN_WORLDS.items():
        res = ledger._learning(200, 101, tmp_path, **rates)
        blind, payers, scores = (res[label] for label in labels)
        assert (blind["accepted"], blind["rejected"], blind["learned_from"]) == (0, 0, 0), world
        assert payers["accepted"] > 0, world
        assert payers["learned_from"] == 0, world  # learned payers only
        assert (scores["accepted"], scores["rejected"]) == (payers["accepted"], payers["rejected"])
        assert scores["learned_from"] > 0, world  # the scores learned from the decisions
        for v in (blind, payers, scores):
            assert v["new_auto_right"] <= v["new_auto_pairs"]
    assert {p.name for p in tmp_path.iterdir()} == {
        "learn-base",
        "learn-payer_not_customer-0.5",
    }
