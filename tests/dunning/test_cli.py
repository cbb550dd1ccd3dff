"""``rapprochement dunning plan|run`` and ``rapprochement kpi`` on a real SQLite ledger."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_OK, main

store = pytest.importorskip("rapprochement.store")
NEEDED = ("open_items", "customers", "payment_history", "invoice_events", "dunning_history",
          "record_dunning_actions", "add_invoice_event", "import_invoices")  # fmt: skip
if not all(hasattr(getattr(store, "Ledger", None), m) for m in NEEDED):
    pytest.skip("rapprochement.store.Ledger lacks the dunning methods", allow_module_level=True)


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "books.db")
    invoices = pd.DataFrame(
        [
            ("FA-1", "C1", "Dupont SARL", "1200.00", "2025-04-01", "2025-05-31", "5000.00"),
            ("FA-2", "C1", "Dupont SARL", "500.00", "2025-04-01", "2025-05-31", "5000.00"),
            ("FA-3", "C2", "Martin SA", "800.00", "2025-04-01", "2025-05-31", "700.00"),
        ],
        columns=["invoice_id", "customer_id", "customer_name", "amount", "issue_date",
                 "due_date", "credit_limit"],
    ).assign(currency="EUR")  # fmt: skip
    with store.Ledger(path) as ledger:
        ledger.import_invoices(invoices)
        ledger.add_invoice_event("FA-3", "dispute", "2025-06-01", None, "damaged goods")
    return path


def test_plan_lists_the_due_reminders_without_recording(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dunning", "plan", "--as-of", "2025-06-10", "--db", db, "--json"]) == EXIT_OK
    actions = json.loads(capsys.readouterr().out)
    assert [(a["customer_id"], a["level_name"], [i["invoice_id"] for i in a["items"]])
            for a in actions] == [("C1", "reminder1", ["FA-1", "FA-2"])]  # fmt: skip
    with store.Ledger(db) as ledger:
        assert ledger.dunning_history().empty


def test_run_writes_letters_records_them_and_a_rerun_adds_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "outbox"
    who = tmp_path / "creditor.json"
    who.write_text('{"name": "ACME SAS", "iban": "FR7630006000011234567890189"}', "utf-8")
    args = ["dunning", "run", "--as-of", "2025-06-10", "--db", db, "--outbox", str(out),
            "--creditor", str(who), "--no-pdf", "--send"]  # fmt: skip
    assert main(args) == EXIT_OK
    assert "1 recorded" in capsys.readouterr().out
    files = sorted(p.name for p in (out / "2025-06-10").iterdir())
    assert files == ["2025-06-10_C1_relance-1.html", "2025-06-10_C1_relance-1.txt", "manifest.csv"]
    assert main(args) == EXIT_OK
    assert "0 recorded" in capsys.readouterr().out
    with store.Ledger(db) as ledger:
        history = ledger.dunning_history()
    assert len(history) == 1
    assert list(history.loc[0, "invoice_ids"]) == ["FA-1", "FA-2"]
    # 15 days later, reminder2 (with penalties) is due, from the recorded history.
    later = ["dunning", "run", "--as-of", "2025-06-25", "--db", db, "--outbox", str(out),
             "--language", "en", "--creditor", str(who), "--send", "--no-pdf"]  # fmt: skip
    assert main(later) == EXIT_OK
    text = next((out / "2025-06-25").glob("*.txt")).read_text(encoding="utf-8")
    assert "Second reminder" in text
    assert "€40.00" in text
    assert "ACME SAS" in text
    assert "FR7630006000011234567890189" in text


def test_run_without_a_creditor_writes_and_records_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "outbox"
    args = ["dunning", "run", "--as-of", "2025-06-10", "--db", db, "--outbox", str(out)]
    assert main(args) == 2  # usage error: --creditor is required
    assert "--creditor" in capsys.readouterr().err
    bad = tmp_path / "c.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main([*args, "--creditor", str(bad)]) != EXIT_OK
    assert "c.json" in capsys.readouterr().err
    assert not out.exists()
    with store.Ledger(db) as ledger:
        assert ledger.dunning_history().empty


def test_kpi_json_reads_the_ledger(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpi", "--as-of", "2025-06-30", "--db", db, "--json", "--turnover", "25000"]) == 0
    data = json.loads(capsys.readouterr().out)
    rows = {r["bucket"]: r for r in data["aged_balance"]}
    total, disputed = rows["total"], rows["excluded_disputed"]
    # FA-3 (800) is disputed: part B of the D441-6 table, not in the buckets
    assert (total["count"], total["amount"], total["pct_turnover"]) == (2, "1700.00", "6.80")
    assert (disputed["count"], disputed["amount"]) == (1, "800.00")
    # receivables 2500 / revenue of Apr-Jun (2500) x 91 days
    assert data["dso_standard"] == "91.0"
    alerts = {r["customer_id"]: r["alert"] for r in data["credit_exposure"]}
    assert alerts == {"C2": "over_limit", "C1": "ok"}
    # FA-3 (800) is disputed: no cash expected from it
    assert sum(Decimal(r["amount"]) for r in data["cash_forecast"]) == Decimal("1700.00")


def test_kpi_prints_a_table(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kpi", "--as-of", "2025-06-30", "--db", db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Aged balance" in out
    assert "over_limit" in out


def test_bad_date_and_bad_policy_are_input_errors(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # an option value that cannot be used is exit code 3 (docs/cli.md), as for reconcile
    assert main(["dunning", "plan", "--as-of", "03/04/2026", "--db", db]) == EXIT_INPUT
    bad = tmp_path / "p.json"
    bad.write_text("{}", encoding="utf-8")
    code = main(["dunning", "plan", "--as-of", "2025-06-10", "--db", db, "--policy", str(bad)])
    assert code == EXIT_INPUT
    assert "p.json" in capsys.readouterr().err


def test_scored_segments_option_runs_with_an_empty_payment_history(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["dunning", "plan", "--as-of", "2025-06-10", "--db", db, "--json", "--scored-segments"]
    assert main(args) == EXIT_OK
    (action,) = json.loads(capsys.readouterr().out)
    assert action["segment"] is None


def test_payer_lines_say_early_when_the_average_is_early() -> None:
    from rapprochement.cli.dunning import payer_line

    row = {"segment": "watch", "customer_id": "C16", "share_late": "60.00", "trend": "n/a"}
    late = payer_line({**row, "avg_days_late": Decimal("12.3")})
    early = payer_line({**row, "avg_days_late": Decimal("-19.8")})
    assert late == "watch: C16 pays 12.3 days late on average (60.00 % of invoices late, trend n/a)"
    assert early.startswith("watch: C16 pays 19.8 days early on average")


def test_dunning_and_kpi_read_the_ledger_named_by_rapprochement_db(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no ./rapprochement.db here
    monkeypatch.setenv("RAPPROCHEMENT_DB", db)
    assert main(["kpi", "--as-of", "2025-06-30", "--json"]) == EXIT_OK
    total = next(r for r in json.loads(capsys.readouterr().out)["aged_balance"]
                 if r["bucket"] == "total")  # fmt: skip
    assert total["count"] == 2  # and FA-3, disputed, in excluded_disputed
    assert main(["dunning", "plan", "--as-of", "2025-06-10", "--json"]) == EXIT_OK
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_plan_on_a_public_holiday_says_why_nothing_is_due(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["dunning", "plan", "--as-of", "2025-07-14", "--db", db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "0 action(s)" in out
    assert "2025-07-14 is not a business day (National Day)" in out


def test_plan_shows_credit_notes_netted_in_the_statement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # one table row per line
    path = str(tmp_path / "books.db")
    invoices = pd.DataFrame(
        [("FA-1", "C1", "Dupont SARL", "1200.00", "2025-04-01", "2025-05-31"),
         ("AV-1", "C1", "Dupont SARL", "-200.00", "2025-04-15", "2025-05-15")],
        columns=["invoice_id", "customer_id", "customer_name", "amount", "issue_date",
                 "due_date"],
    ).assign(currency="EUR")  # fmt: skip
    with store.Ledger(path) as ledger:
        ledger.import_invoices(invoices)
    assert (
        main(["dunning", "plan", "--as-of", "2025-06-10", "--db", path, "--lang", "en"]) == EXIT_OK
    )
    out = capsys.readouterr().out
    assert "AV-1 (credit note)" in out
    assert "€1,000.00" in out
