"""``rapprochement invoices import`` of ERP exports: French headers, .xlsx, profiles, --map
mistakes, snapshots and their undo."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_INPUT, EXIT_OK, main
from rapprochement.store import Ledger

FR_EXPORT = (
    "N° facture;Code client;Raison sociale;Montant TTC;Devise;Date facture;Échéance;Reste dû\n"
    "FA-1;C1;Dupont SARL;1 200,00;EUR;01/03/2026;31/03/2026;1 200,00\n"
    "FA-2;C1;Dupont SARL;500,00;EUR;01/03/2026;31/03/2026;200,00\n"
    "FA-3;C2;Martin SA;800,00;EUR;02/03/2026;01/04/2026;800,00\n"
)


def _open(db: str) -> dict[str, Decimal]:
    with Ledger(db) as ledger:
        items = ledger.open_items()
    return dict(zip(items["invoice_id"], items["open_amount"], strict=True))


def test_french_headers_are_recognised_without_a_map(tmp_path: Path) -> None:
    f = tmp_path / "export.csv"
    f.write_text(FR_EXPORT, "utf-8")
    db = str(tmp_path / "books.db")
    assert main(["invoices", "import", str(f), "--db", db]) == EXIT_OK
    assert _open(db) == {"FA-1": Decimal("1200.00"), "FA-2": Decimal("200.00"),
                         "FA-3": Decimal("800.00")}  # fmt: skip


def test_english_headers_from_an_xlsx_file(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Open items"
    ws.append(["Invoice number", "Customer ID", "Customer name", "Amount", "Currency",
               "Invoice date", "Due date", "Balance"])  # fmt: skip
    ws.append(["INV-7", "K9", "Acme Ltd", 1500.5, "EUR", dt.datetime(2026, 3, 1),
               dt.datetime(2026, 3, 31), 1000])  # fmt: skip
    f = tmp_path / "export.xlsx"
    book.save(f)
    db = str(tmp_path / "books.db")
    assert main(["invoices", "import", str(f), "--db", db, "--sheet", "Open items"]) == EXIT_OK
    assert _open(db) == {"INV-7": Decimal("1000")}
    assert main(["invoices", "import", str(f), "--db", db, "--sheet", "Nope"]) == EXIT_INPUT


def test_a_mapping_saved_as_a_profile_is_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "export.csv"
    f.write_text(FR_EXPORT.replace("N° facture", "Pièce comptable"), "utf-8")
    prof = tmp_path / "erp.toml"
    db = str(tmp_path / "books.db")
    args = ["invoices", "import", str(f), "--db", db, "--map", "invoice_id=Pièce comptable",
            "--save-profile", str(prof)]  # fmt: skip
    assert main(args) == EXIT_OK
    text = prof.read_text("utf-8")
    assert 'invoice_id = "Pièce comptable"' in text
    assert 'open_amount = "Reste dû"' in text
    db2 = str(tmp_path / "other.db")
    assert main(["invoices", "import", str(f), "--db", db2, "--profile", str(prof)]) == EXIT_OK
    assert sorted(_open(db2)) == ["FA-1", "FA-2", "FA-3"]


def test_a_map_naming_no_field_is_an_error_with_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "export.csv"
    f.write_text(FR_EXPORT, "utf-8")
    args = ["invoices", "import", str(f), "--db", str(tmp_path / "b.db"), "--map",
            "invoice_number=N° facture"]  # fmt: skip
    assert main(args) == EXIT_INPUT
    err = capsys.readouterr().err
    assert "'invoice_number' is not an invoice field" in err
    assert "did you mean invoice_id" in err
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nduedate = "Échéance"\n', "utf-8")
    args = ["invoices", "import", str(f), "--db", str(tmp_path / "b.db"), "--profile", str(bad)]
    assert main(args) == EXIT_INPUT
    assert "did you mean due_date" in capsys.readouterr().err


def test_snapshot_from_the_cli_lists_what_it_closed_and_reopen_undoes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "export.csv"
    f.write_text(FR_EXPORT, "utf-8")
    db = str(tmp_path / "books.db")
    assert main(["invoices", "import", str(f), "--db", db]) == EXIT_OK
    only = tmp_path / "today.csv"
    only.write_text("\n".join(FR_EXPORT.splitlines()[:2]) + "\n", "utf-8")
    capsys.readouterr()
    assert main(["invoices", "import", str(only), "--db", db, "--snapshot", "--json"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    assert [c["invoice_id"] for c in summary["closed"]] == ["FA-2", "FA-3"]
    assert sorted(_open(db)) == ["FA-1"]
    assert main(["invoices", "settled", "--db", db, "--json"]) == EXIT_OK
    assert [r["invoice_id"] for r in json.loads(capsys.readouterr().out)] == ["FA-2", "FA-3"]
    assert main(["invoices", "reopen", "--import", str(summary["import_id"]), "--db", db]) == 0
    assert "2 invoice(s) reopened: FA-2, FA-3" in capsys.readouterr().out
    assert sorted(_open(db)) == ["FA-1", "FA-2", "FA-3"]
    assert main(["invoices", "reopen", "--db", db]) == EXIT_INPUT
