"""Data never goes through rich markup: payers and customers named ``[/bold]``, ``[red]`` or
``[link=http://evil]x[/link]`` are printed as they are, by every command, and a ``dunning run``
prints what it did."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import rapprochement.cli.dunning
import rapprochement.cli.ledger
import rapprochement.cli.parse  # noqa: F401  (the commands register on the app when imported)
from rapprochement.cli import EXIT_INPUT, EXIT_OK, EXIT_PROBLEMS, app, main
from rapprochement.cli.output import literal
from rapprochement.parsers import read_statement
from rapprochement.store import Ledger
from tests.store.helpers import line, write_camt

CLOSE, LINK, RED = "[/bold]", "[link=http://evil]x[/link]", "[red]"
CREDITOR = '{"name": "ACME SAS", "iban": "FR7630006000011234567890189"}'
STATEMENT = (
    ":20:STMT1\n:25:NL91ABNA0417164300\n:28C:1/1\n:60F:C260102EUR100,00\n"
    f":61:2601020102C50,00NTRFNONREF//B1\n:86:/REMI/{LINK}/NAME/{CLOSE}\n"
    f":61:{CLOSE}{RED}\n:62F:C260102EUR150,00\n-\n"
)


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no cell is wrapped or cut."""
    monkeypatch.setenv("COLUMNS", "300")


def _invoices(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["invoice_id", "customer_id", "customer_name", "amount", "currency",
                    "issue_date", "due_date", "credit_limit"])  # fmt: skip
        for invoice_id, customer_id, name in rows:
            w.writerow([invoice_id, customer_id, name, "300.00", "EUR", "2025-04-01",
                        "2025-05-31", "100.00"])  # fmt: skip
    return path


@pytest.fixture
def books(tmp_path: Path) -> list[str]:
    """--db of a ledger with customers named in markup, their invoices overdue."""
    db = str(tmp_path / "books.db")
    rows = [("FA-1", RED, CLOSE), ("FA-2", "C2", LINK), ("FA-3", "C3", RED)]
    assert main(["invoices", "import", str(_invoices(tmp_path / "inv.csv", rows)), "--db", db]) == 0
    return ["--db", db]


def test_parse_prints_markup_in_names_findings_and_file_names_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / RED
    folder.mkdir()
    sta = folder / "a.sta"
    sta.write_text(STATEMENT, encoding="utf-8")
    assert main(["parse", str(sta)]) == EXIT_OK
    out = capsys.readouterr().out
    assert CLOSE in out
    assert LINK in out
    assert f"'{CLOSE}{RED}' does not follow" in out  # the finding quotes the line
    assert f"{RED}/a.sta" in "".join(out.split())  # the title, wrapped to the table's width


def test_the_error_printer_prints_markup_in_a_message_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / f"{RED}{CLOSE}.sta"
    assert main(["import", str(missing), "--db", str(tmp_path / "b.db")]) == EXIT_INPUT
    err = capsys.readouterr().err
    assert f"{RED}{CLOSE}.sta: file not found" in err
    assert err.strip().startswith("error: ")


def test_import_and_invoices_import_print_markup_in_file_names_and_findings_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / CLOSE.strip("/[]") / LINK.replace("/", "_")
    folder.mkdir(parents=True)
    sta = folder / f"{RED}.sta"
    sta.write_text(STATEMENT, encoding="utf-8")
    db = ["--db", str(tmp_path / "b.db")]
    assert main(["import", str(sta), *db]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{LINK.replace('/', '_')}/{RED}.sta" in out
    assert f"'{CLOSE}{RED}' does not follow" in out
    inv = _invoices(folder / f"{RED}.csv", [("FA-1", "C1", CLOSE)])
    assert main(["invoices", "import", str(inv), *db]) == EXIT_OK
    assert f"{RED}.csv" in "".join(capsys.readouterr().out.split())


def test_review_prints_payers_and_customers_named_in_markup_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "r.db")]
    rivals = _invoices(tmp_path / "inv.csv", [("FA-2", "C2", LINK), ("FA-4", "C2", LINK)])
    payment = write_camt(tmp_path / "s.xml", [line(2, "300.00", CLOSE, "", "virement", "R1")])
    assert main(["invoices", "import", str(rivals), *db]) == EXIT_OK
    assert main(["import", str(payment), *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    capsys.readouterr()
    assert main(["review", *db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "1 suggestion(s) to review" in out
    assert f"{CLOSE} " in out
    assert LINK[:24] in out  # the customer column shows 24 characters


def test_dunning_plan_prints_customers_named_in_markup_as_text(
    books: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dunning", "plan", "--as-of", "2025-06-10", *books]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{CLOSE} ({RED})" in out
    assert f"{LINK} (C2)" in out
    assert "3 action(s)" in out


def test_dunning_run_prints_what_it_wrote_and_recorded(
    tmp_path: Path, books: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    who = tmp_path / "creditor.json"
    who.write_text(CREDITOR, encoding="utf-8")
    outbox = tmp_path / "outbox"
    args = ["dunning", "run", "--as-of", "2025-06-10", *books, "--outbox", str(outbox),
            "--creditor", str(who), "--send", "--no-pdf"]  # fmt: skip
    assert main(args) == EXIT_OK
    out = capsys.readouterr().out
    assert f"{CLOSE} ({RED})" in out
    assert "3 recorded, 0 e-mail(s) sent" in out
    assert f"letters in {outbox}" in out
    assert len(list((outbox / "2025-06-10").glob("*.txt"))) == 3
    with Ledger(books[1]) as ledger:
        assert len(ledger.dunning_history()) == 3


def test_dunning_run_says_what_it_committed_when_its_summary_cannot_be_printed(
    tmp_path: Path,
    books: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    who = tmp_path / "creditor.json"
    who.write_text(CREDITOR, encoding="utf-8")
    printed = Console.print

    def closed_pipe_at_the_end(self: Console, *objects: object, **kw: object) -> None:
        if not self.stderr and any("e-mail(s) sent" in str(o) for o in objects):
            raise BrokenPipeError(32, "Broken pipe")
        printed(self, *objects, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Console, "print", closed_pipe_at_the_end)
    args = ["dunning", "run", "--as-of", "2025-06-10", *books, "--outbox",
            str(tmp_path / "outbox"), "--creditor", str(who), "--send", "--no-pdf"]  # fmt: skip
    assert main(args) == EXIT_PROBLEMS
    # the console wraps at its width, which other tests may have changed: compare words
    err = " ".join(capsys.readouterr().err.split())
    assert "done (3 recorded, 0 e-mail(s) sent" in err
    assert "Broken pipe" in err


def test_kpi_prints_customers_named_in_markup_as_text(
    books: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["kpi", "--as-of", "2025-06-10", *books]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"over_limit {CLOSE} ({RED})" in out
    assert f"over_limit {LINK} (C2)" in out


# ---- any markup-like name, through the commands' printing (Hypothesis, typer's CliRunner) ----

_TOKENS = ["[", "]", "/", "[/]", "bold", "red", "link=", "http://evil", ":", "warning", "\\",
           "x", " ", "=", "on", "#", "@", "]]", "[["]  # fmt: skip
markup_like = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=8).map("".join)
runner = CliRunner()


def _invoke(args: list[str]) -> str:
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == EXIT_OK, result.output
    return result.stdout


@settings(max_examples=60, deadline=None)
@given(payer=markup_like, text=markup_like)
def test_parse_prints_any_markup_like_payer_and_remittance_as_they_are(
    payer: str, text: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        sta = write_camt(Path(folder) / "s.xml", [line(2, "1.00", payer, "", text, "R1")])
        (st_,) = read_statement(sta)
        tx = st_.entries[0].transactions[0]
        out = _invoke(["parse", str(sta)])
    assert literal((tx.counterparty_name or "")[:40]).plain in out
    assert literal(tx.remittance_info[:60]).plain in out


@settings(max_examples=25, deadline=None)
@given(name=(markup_like | st.sampled_from(["\x1b]8;;http://evil\x1b\\x", "a\x07b"])).filter(
    lambda s: s.strip()))  # fmt: skip
def test_dunning_plan_and_kpi_print_any_markup_like_customer_as_it_is(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = ["--db", str(Path(folder) / "b.db")]
        rows = [("FA-1", "C1", name), ("FA-2", "C1", name)]
        _invoke(["invoices", "import", str(_invoices(Path(folder) / "i.csv", rows)), *db])
        plan = _invoke(["dunning", "plan", "--as-of", "2025-06-10", *db])
        kpi = _invoke(["kpi", "--as-of", "2025-06-10", *db])
    shown = literal(name.replace("\x00", "").strip()).plain  # as stored; controls as escapes
    assert f"{shown} (C1)" in plan
    assert f"over_limit {shown} (C1)" in kpi
    assert "\x1b" not in plan + kpi
