"""Bad user input on the command line is a one-line typed error with its exit code (3 input,
4 ledger), never a traceback, a silently ignored value or a ledger created by a typo."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_LEDGER, main
from rapprochement.store import Ledger


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A ledger with two overdue invoices of one customer (a reminder is due on 2025-06-10)."""
    path = str(tmp_path / "books.db")
    rows = [("FA-1", "C1", "Dupont SARL", "1200.00", "2025-04-01", "2025-05-31"),
            ("FA-2", "C1", "Dupont SARL", "500.00", "2025-04-01", "2025-05-31")]  # fmt: skip
    cols = ["invoice_id", "customer_id", "customer_name", "amount", "issue_date", "due_date"]
    with Ledger(path) as ledger:
        ledger.import_invoices(pd.DataFrame(rows, columns=cols).assign(currency="EUR"))
    return path


def _fails(argv: list[str], code: int, capsys: pytest.CaptureFixture[str], *words: str) -> None:
    capsys.readouterr()
    assert main(argv) == code
    err = capsys.readouterr().err
    assert err.strip().startswith("error: ")
    assert "Traceback" not in err
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    "command",
    [
        ["dunning", "plan"],
        ["dunning", "run"],
        ["kpi"],
        ["reconcile"],
        ["report", "--html", "r.html"],
    ],
)
@pytest.mark.parametrize("day", ["03/04/2026", "2026-13-01", "2026-02-30", "[/bold]", "31/02/2026"])
def test_a_bad_as_of_date_is_an_input_error_in_every_command(
    db: str,
    command: list[str],
    day: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(Path(db).parent)  # files the command names are written there, if any
    _fails([*command, "--as-of", day, "--db", db], EXIT_INPUT, capsys, "--as-of", repr(day))


@pytest.mark.parametrize("turnover", ["nan", "inf", "0", "-5", "abc", "1e3"])
def test_a_turnover_that_is_not_a_positive_amount_is_an_input_error(
    db: str, turnover: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["kpi", "--as-of", "2025-06-10", "--db", db, "--turnover", turnover]
    _fails(argv, EXIT_INPUT, capsys, "--turnover", "positive amount")


def test_a_suggestion_id_beyond_64_bits_is_not_found(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for verb in ("accept", "reject"):
        argv = ["review", verb, "99999999999999999999", "--db", db]
        _fails(argv, EXIT_LEDGER, capsys, "no suggestion 99999999999999999999")


def test_an_outbox_that_cannot_be_written_is_an_input_error_and_nothing_is_recorded(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    who = tmp_path / "creditor.json"
    who.write_text('{"name": "ACME SAS", "iban": "FR7630006000011234567890189"}', "utf-8")
    not_a_folder = tmp_path / "outbox"
    not_a_folder.write_text("a file", encoding="utf-8")
    argv = ["dunning", "run", "--as-of", "2025-06-10", "--db", db, "--outbox", str(not_a_folder),
            "--creditor", str(who), "--no-pdf"]  # the outbox is the point, not the PDF  # fmt: skip
    _fails(argv, EXIT_INPUT, capsys, "cannot write the letter", "nothing was recorded")
    with Ledger(db) as ledger:
        assert ledger.dunning_history().empty


@pytest.mark.parametrize(
    "command",
    [["status"], ["review"], ["review", "reject", "1"], ["reconcile"], ["kpi"],
     ["dunning", "plan"], ["export", "out.csv"], ["report", "--html", "r.html"]],
)  # fmt: skip
def test_a_command_given_a_ledger_path_where_there_is_none_creates_nothing(
    tmp_path: Path,
    command: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    typo = tmp_path / "bokos.db"
    _fails([*command, "--db", str(typo)], EXIT_LEDGER, capsys, "no ledger here", "bokos.db")
    assert not typo.exists()


def test_import_creates_the_ledger(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "inv.csv"
    csv.write_text(
        "invoice_id,customer_id,customer_name,amount,currency,issue_date\n"
        "FA-1,C1,Acme,10.00,EUR,2026-03-01\n",
        encoding="utf-8",
    )
    new = tmp_path / "new.db"
    assert main(["invoices", "import", str(csv), "--db", str(new)]) == 0
    assert main(["status", "--db", str(new)]) == 0
