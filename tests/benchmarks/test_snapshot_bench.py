"""The snapshot section on a tiny ledger: half closed by the snapshot, all reopened by the undo."""

from __future__ import annotations

import pytest

from benchmarks import snapshot


def test_the_snapshot_section_on_a_tiny_ledger(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(snapshot.SIZES, "quick", 40)
    text = snapshot.run("quick", 7)
    assert "### Snapshot import (40 invoices, SQLite, seed 7)" in text
    assert "| snapshot listing half (closes 20) | 20 |" in text
    assert "| undo of the snapshot (reopens 20) | 20 |" in text
