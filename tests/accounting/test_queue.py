"""The daily work queue (issue 15): ``unmatched``, ``customer``, ``review accept --min-score``,
on the command line and as Ledger methods."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from rapprochement.cli import EXIT_INPUT, EXIT_LEDGER, EXIT_OK, main
from rapprochement.store import Ledger
from rapprochement.store import schema as t
from tests.store.fake_matcher import fake_matcher
from tests.store.helpers import LINES, line, write_invoices, write_mt940


@pytest.fixture
def books(tmp_path: Path) -> str:
    """Reconciled: two lines stay unmatched (one with no invoice at all, one short of it)."""
    extra = [line(12, "10.00", "NOBODY", "", "don", "R9"),
             line(13, "600.00", "DELTA SAS", "", "virement", "R10")]  # fmt: skip
    db = str(tmp_path / "books.db")
    with Ledger(db, user="test") as ledger:
        ledger.import_statements([write_mt940(tmp_path / "a.sta", LINES + extra)])
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
        ledger.reconcile()
    return db


def test_unmatched_lists_incoming_lines_oldest_first_with_the_reason(books: str) -> None:
    with Ledger(books) as ledger:
        df = ledger.unmatched()
    assert list(df["booking_date"]) == sorted(df["booking_date"])
    rows = {r["counterparty_name"]: r for r in df.to_dict("records")}
    assert "BANQUE" not in rows  # an outgoing fee line, categorized by the starter rules
    assert rows["NOBODY"]["reason"] in ("no_candidate", "below_threshold")
    assert set(df["reason"]) <= {"pending_review", "below_threshold", "no_candidate",
                                 "held", "rejected_before"}  # fmt: skip
    for r in rows.values():
        assert isinstance(r["explanation"], list)


def test_unmatched_on_the_command_line(books: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unmatched", "--db", books, "--json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    assert "NOBODY" in {r["counterparty_name"] for r in rows}
    assert main(["unmatched", "--db", books]) == EXIT_OK
    out = capsys.readouterr().out
    assert "NOBODY" in out
    assert "unmatched payment(s)" in out


def test_customer_view(books: str, capsys: pytest.CaptureFixture[str]) -> None:
    with Ledger(books) as ledger:
        view = ledger.customer("C4")
    assert view.name == "Delta SAS"
    assert list(view.open_items["invoice_id"]) == ["FA-006"]
    assert "invoice" in set(view.history["event"])
    assert main(["customer", "C4", "--db", books]) == EXIT_OK
    assert "FA-006" in capsys.readouterr().out
    assert main(["customer", "C1", "--db", books, "--json"]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    assert {"open_items", "credits", "payments", "history", "balance"} <= set(data)
    assert any(p["invoice_id"] == "FA-001" for p in data["payments"])
    assert main(["customer", "NOPE", "--db", books]) == EXIT_LEDGER


def test_review_accept_min_score_decides_in_bulk_and_says_what_it_did(
    books: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Ledger(books) as ledger:
        pending = ledger.suggestions()
    assert main(["review", "accept", "--db", books]) == EXIT_INPUT  # neither ids nor a score
    assert main(["review", "accept", "--min-score", "1.0", "--db", books]) == EXIT_OK
    assert "accepted 0 suggestion(s)" in capsys.readouterr().out
    assert main(["review", "accept", "--min-score", "0", "--kind", "nope", "--db", books]) == 0
    assert "accepted 0" in capsys.readouterr().out
    assert main(["review", "accept", "--min-score", "0", "--db", books]) == EXIT_OK
    out = capsys.readouterr().out
    with Ledger(books) as ledger:
        left = ledger.suggestions()
        made = ledger.allocations()
    assert len(left) < len(pending) or pending.empty
    assert set(made["suggestion_id"].dropna()) <= set(pending["suggestion_id"])
    assert "accepted" in out


def test_accept_above_skips_what_an_earlier_acceptance_took(tmp_path: Path) -> None:
    """Two pending suggestions give the same invoice's money to two lines: the better one is
    accepted, the other stays pending and is reported; nothing else is undone."""
    two = [line(2, "999.00", "DELTA SAS", "", "virement", "R1"),
           line(3, "999.00", "DELTA SAS", "", "virement", "R2")]  # fmt: skip
    db = str(tmp_path / "b.db")
    with Ledger(db, user="test") as ledger:
        ledger.import_statements([write_mt940(tmp_path / "a.sta", two)])
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
        ledger.reconcile(matcher=fake_matcher)  # finds nothing: no reference, no IBAN
        lines = sorted(ledger.unmatched()["transaction_id"])
        with ledger.engine.begin() as conn:
            run = conn.execute(select(t.reconcile_runs.c.id)).scalar_one()
            for tx, score in zip(lines, (0.9, 0.8), strict=True):
                conn.execute(insert(t.suggestions).values(
                    run_id=run, transaction_id=tx, invoice_id="FA-006", amount_minor=99900,
                    currency="EUR", kind="one_to_one", score=score, explanation="[]",
                    state="pending", created_at=dt.datetime(2026, 3, 4),
                ))  # fmt: skip
        ids = list(ledger.suggestions()["suggestion_id"])
        done = ledger.accept_above(0.5)
        after = ledger.suggestions()
        made = ledger.allocations()
    assert list(done.accepted) == [ids[0]]
    assert list(done.skipped) == ids[1:]  # their money is taken: each skipped with why
    assert all(done.skipped.values())
    assert list(after["suggestion_id"]) == ids[1:]  # still pending, for a person
    assert list(made["invoice_id"]) == ["FA-006"]


def test_review_json_nests_the_explanation(books: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["review", "--db", books, "--json"]) == EXIT_OK
    rows = json.loads(capsys.readouterr().out)
    for r in rows:
        assert isinstance(r["explanation"], list)
        assert all({"feature", "value", "weight"} <= set(c) for c in r["explanation"])


def test_review_keeps_the_why_column_at_80_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from demo.make_data import DATA
    from demo.run import STATEMENTS

    db = ["--db", str(tmp_path / "demo.db")]
    assert main(["import", *[str(DATA / f) for f in STATEMENTS], *db]) == EXIT_OK
    assert main(["invoices", "import", str(DATA / "invoices.csv"), *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    monkeypatch.setenv("COLUMNS", "80")
    capsys.readouterr()
    assert main(["review", "--limit", "5", *db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "why" in out
    assert "suggestion(s) to review" in out
    assert max(len(x) for x in out.splitlines()) <= 80
