"""CSV the tool writes opens safely in a spreadsheet: text cells that a spreadsheet would run as
a formula get a leading quote (OWASP); number columns stay numbers, negative ones included."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.cli import EXIT_OK, main
from tests.store.helpers import ACME_IBAN, line, write_camt, write_invoices

HYPERLINK = '=HYPERLINK("http://evil.example","Invoice")'
HOSTILE = [HYPERLINK, "+1+1", "@SUM(A1:A9)", "-2+3", "=cmd|' /C calc'!A0", "\uff1d1+1"]


@pytest.fixture
def statement(tmp_path: Path) -> Path:
    lines = [line(2 + i, "10.00", name, "", f"payment {i}", f"R{i}") for i, name in
             enumerate(HOSTILE)]  # fmt: skip
    lines.append(line(20, "-12.50", "BANQUE", "", "=1+1 frais", "R99"))
    return write_camt(tmp_path / "hostile.xml", lines)


def test_parse_csv_quotes_formula_cells_and_keeps_amounts_numbers(
    statement: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(statement), "--csv"]) == EXIT_OK
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["counterparty_name"] for r in rows] == ["'" + n for n in HOSTILE] + ["BANQUE"]
    assert rows[-1]["remittance_info"] == "'=1+1 frais"
    assert [r["amount"] for r in rows] == ["10.00"] * len(HOSTILE) + ["-12.50"]
    assert rows[-1]["detail_amount"] == "-12.50"


def test_export_quotes_a_payer_named_like_a_formula(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--db", str(tmp_path / "books.db")]
    sta = write_camt(
        tmp_path / "a.xml", [line(2, "1200.00", HYPERLINK, ACME_IBAN, "Facture FA-001", "R1")]
    )
    assert main(["import", str(sta), *db]) == EXIT_OK
    assert main(["invoices", "import", str(write_invoices(tmp_path / "inv.csv")), *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    out = tmp_path / "alloc.csv"
    assert main(["export", str(out), *db]) == EXIT_OK
    with out.open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["payer"] == "'" + HYPERLINK
    assert (row["invoice_id"], Decimal(row["amount"])) == ("FA-001", Decimal("1200.00"))
    assert 0 < float(row["score"]) <= 1
