"""``rapprochement learn``: show, refit and reset what the ledger learned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_OK, main
from rapprochement.store import Ledger
from tests.store.test_learning import _two_rounds


def test_learn_show_and_reset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "books.db"
    _two_rounds(tmp_path, f"sqlite:///{db}", "accept")
    capsys.readouterr()
    assert main(["learn", "--db", str(db), "--json"]) == EXIT_OK
    shown = json.loads(capsys.readouterr().out)
    assert (shown["state"], shown["decisions"]) == ("learned", 20)
    assert main(["learn", "--db", str(db)]) == EXIT_OK
    assert "decisions learned from" in capsys.readouterr().out
    assert main(["learn", "--db", str(db), "--reset", "--json"]) == EXIT_OK
    after = json.loads(capsys.readouterr().out)
    assert (after["state"], after["forgotten_decisions"]) == ("reset", 20)
    assert main(["reconcile", "--db", str(db), "--no-learning", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["learned_from"] == 0
    with Ledger(db) as ledger:
        assert ledger.learning()["state"] == "reset"
