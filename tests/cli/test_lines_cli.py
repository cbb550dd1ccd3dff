"""The CLI of rules, returns, manual allocation and undo, end to end on a SQLite ledger."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_LEDGER, EXIT_OK, main
from tests.store.helpers import LINES, write_invoices, write_mt940


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    capsys.readouterr()
    assert main(argv) == EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_rules_allocate_undo_and_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "l.db")]
    assert main(["import", str(write_mt940(tmp_path / "a.sta", LINES)), *db]) == EXIT_OK
    assert main(["invoices", "import", str(write_invoices(tmp_path / "i.csv")), *db]) == EXIT_OK
    shown = _json(capsys, ["rules", "show", *db, "--json"])
    assert isinstance(shown, dict)
    assert shown["version"] == 0
    lines = _json(capsys, ["rules", "lines", *db, "--json"])
    assert isinstance(lines, list)
    assert [r["category"] for r in lines] == ["fees"]
    rules = tmp_path / "r.toml"
    rules.write_text('[[rule]]\nid = "typo"\ncategory = "payroll"\ntext = "SALIARE"\n')
    capsys.readouterr()
    assert main(["rules", "add", str(rules), *db]) == EXIT_OK
    assert "rule 'typo' matches no line" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nid = "b"\ncategory = "rent"\ntext = "X"\n')
    capsys.readouterr()
    assert main(["rules", "add", str(bad), *db]) == EXIT_INPUT
    assert "rule 'b', field category" in capsys.readouterr().err
    status = _json(capsys, ["status", *db, "--json"])
    assert isinstance(status, dict)
    assert status["categories"]["fees"]["lines"] == 1
    txs = _open_lines(tmp_path / "l.db")
    assert main(["allocate", txs["BETA GMBH"], "FA-002", *db]) == EXIT_OK
    undo = _json(capsys, ["allocation", "history", *db, "--json"])
    assert undo == []
    capsys.readouterr()
    assert main(["allocation", "undo", "1", *db, "--reason", "wrong"]) == EXIT_OK
    assert "reopened: FA-002" in capsys.readouterr().out
    history = _json(capsys, ["allocation", "history", *db, "--json"])
    assert isinstance(history, list)
    assert history[0]["reason"] == "wrong"
    assert main(["allocation", "undo", "1", *db]) == EXIT_LEDGER  # gone already
    assert _json(capsys, ["returns", *db, "--json"]) == []


def _open_lines(db: Path) -> dict[str, str]:
    from rapprochement.store import Ledger
    from rapprochement.store.reconcile import load_open_transactions

    with Ledger(db) as ledger, ledger.engine.connect() as conn:
        df = load_open_transactions(conn)
    return dict(zip(df["counterparty_name"], df["transaction_id"], strict=True))
