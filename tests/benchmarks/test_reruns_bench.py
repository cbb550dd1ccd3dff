"""The re-runs section of the benchmark: it measures what it says, on a tiny book."""

from __future__ import annotations

from pathlib import Path

from benchmarks import reruns


def test_unchanged_ledger_reruns_add_no_automatic_pair(tmp_path: Path) -> None:
    rows = reruns.unchanged(150, 1000, tmp_path)
    assert [r["run"] for r in rows] == ["run 1", "run 2", "run 3"]
    assert rows[0]["auto pairs"] > 0
    assert rows[0]["right"] <= rows[0]["auto pairs"]
    assert [r["auto pairs"] for r in rows[1:]] == [0, 0]


def test_daily_loop_reconciles_each_slice(tmp_path: Path) -> None:
    rows = reruns.daily(150, 1000, tmp_path)
    assert len(rows) == reruns.SLICES
    assert sum(r["auto pairs"] for r in rows) > 0
    assert all(r["right"] <= r["auto pairs"] for r in rows)


def test_section_is_markdown_with_both_tables() -> None:
    text = reruns.run("test", 1000)
    assert text.startswith("## Re-runs and the daily loop")
    assert "### 150 payments: unchanged ledger" in text
    assert "### 150 payments: daily loop" in text
    assert "| run 3 |" in text
