"""``rapprochement dunning dispute|promise|events|close`` on a real SQLite ledger, and the
planner honouring what they record."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_LEDGER, EXIT_OK, main
from rapprochement.store import Ledger


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "books.db")
    invoices = pd.DataFrame(
        [("FA-1", "C1", "Dupont SARL", "1200.00", "2025-04-01", "2025-05-31"),
         ("FA-2", "C2", "Martin SA", "800.00", "2025-04-01", "2025-05-31")],
        columns=["invoice_id", "customer_id", "customer_name", "amount", "issue_date",
                 "due_date"],
    ).assign(currency="EUR")  # fmt: skip
    with Ledger(path) as ledger:
        ledger.import_invoices(invoices)
    return path


def _planned(db: str, day: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["dunning", "plan", "--as-of", day, "--db", db, "--json"]) == EXIT_OK
    return sorted(i["invoice_id"] for a in json.loads(capsys.readouterr().out) for i in a["items"])


def test_a_dispute_recorded_from_the_cli_pauses_dunning_until_closed(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _planned(db, "2025-06-10", capsys) == ["FA-1", "FA-2"]
    args = ["dunning", "dispute", "FA-2", "--from", "2025-06-01", "--note", "damaged goods",
            "--db", db]  # fmt: skip
    assert main(args) == EXIT_OK
    assert _planned(db, "2025-06-10", capsys) == ["FA-1"]
    assert main(["dunning", "events", "--as-of", "2025-06-10", "--db", db, "--json"]) == EXIT_OK
    [ev] = json.loads(capsys.readouterr().out)
    assert (ev["kind"], ev["invoice_id"], ev["customer_name"], ev["active"], ev["note"]) == (
        "dispute", "FA-2", "Martin SA", True, "damaged goods",
    )  # fmt: skip
    close = ["dunning", "close", str(ev["id"]), "--on", "2025-06-09", "--reason", "credit note",
             "--db", db]  # fmt: skip
    assert main(close) == EXIT_OK
    assert _planned(db, "2025-06-10", capsys) == ["FA-1", "FA-2"]
    assert main(["dunning", "events", "--as-of", "2025-06-10", "--db", db, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == []
    assert main(["dunning", "events", "--all", "--as-of", "2025-06-10", "--db", db, "--json"]) == 0
    [ev] = json.loads(capsys.readouterr().out)
    assert ev["note"] == "damaged goods | closed 2025-06-09: credit note"
    assert main(close) == EXIT_LEDGER  # already ended


def test_a_promise_pauses_dunning_until_its_date(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["dunning", "promise", "FA-1", "--date", "2025-06-20", "--from", "2025-06-05",
            "--db", db]  # fmt: skip
    assert main(args) == EXIT_OK
    assert "pay by 2025-06-20" in capsys.readouterr().out
    assert _planned(db, "2025-06-10", capsys) == ["FA-2"]
    assert "FA-1" in _planned(db, "2025-06-23", capsys)  # the Monday after (no weekend run)


def test_bad_event_input_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dunning", "dispute", "NOPE", "--db", db]) == EXIT_LEDGER
    assert main(["dunning", "promise", "FA-1", "--date", "2025-01-01", "--from", "2025-06-01",
                 "--db", db]) == EXIT_INPUT  # fmt: skip
    assert main(["dunning", "close", "999", "--db", db]) == EXIT_LEDGER
