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


def test_learn_shows_what_undone_automatic_allocations_taught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Automatic allocations undone with ``allocation undo`` are learned as wrong: ``learn``
    counts them and shows the automatic band's adjustments."""

    from tests.store.helpers import write_camt
    from tests.store.test_learning import _book, _named_lines

    db = tmp_path / "books.db"
    with Ledger(db) as ledger:
        ledger.import_invoices(_book(28))
        ledger.import_statements(write_camt(tmp_path / "a.xml", _named_lines(range(6)), "A"))
        assert ledger.reconcile().auto_allocations == 6
        ids = [str(i) for i in ledger.allocations()["allocation_id"]]
    assert main(["allocation", "undo", *ids, "--db", str(db), "--reason", "wrong"]) == EXIT_OK
    assert main(["learn", "--db", str(db), "--refit", "--json"]) == EXIT_OK
    capsys.readouterr()
    assert main(["learn", "--db", str(db), "--json"]) == EXIT_OK
    shown = json.loads(capsys.readouterr().out)
    assert (shown["state"], shown["undone"]) == ("learned", 6)
    assert shown["auto_adjustments"]
    assert main(["learn", "--db", str(db)]) == EXIT_OK
    assert "automatic allocations undone" in capsys.readouterr().out
