"""Invoice import: idempotent updates, column mapping, and bad rows that change nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from rapprochement.errors import AmountError, ColumnError, DateError, DuplicateIdError, InputError
from rapprochement.store import Ledger
from tests.store.helpers import INVOICES_CSV, write_invoices


def test_import_then_reimport_is_unchanged(ledger_url: str, tmp_path: Path) -> None:
    f = write_invoices(tmp_path / "inv.csv")
    with Ledger(ledger_url) as ledger:
        s = ledger.import_invoices(f)
        assert (s.rows, s.new, s.customers_new) == (6, 6, 4)
        again = ledger.import_invoices(f)
        assert (again.new, again.updated, again.unchanged) == (0, 0, 6)
        items = ledger.open_items()
        assert items.loc[items["invoice_id"] == "FA-001", "open_amount"].item() == Decimal(
            "1200.00"
        )
        assert isinstance(items["open_amount"].iloc[0], Decimal)


def test_changed_row_updates_the_open_amount(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "a.csv"))
        lines = [x for x in INVOICES_CSV.splitlines() if not x.startswith("FA-006")]
        lines[0] += ",open_amount"
        lines.append("FA-006,C4,Delta SAS,999.00,EUR,2026-02-12,2026-03-14,FA-006,,900.00")
        changed = "\n".join(lines) + "\n"
        s = ledger.import_invoices(write_invoices(tmp_path / "b.csv", changed))
        assert (s.new, s.updated) == (0, 1)
        items = ledger.open_items().set_index("invoice_id")
        assert items.loc["FA-006", "open_amount"] == Decimal("900.00")


def test_column_map_and_semicolon_csv_with_comma_decimals(ledger_url: str, tmp_path: Path) -> None:
    text = (
        "Numero;Client;Nom;Montant;Devise;Date;Echeance\n"
        "F1;K1;Dupont et Fils;1.234,56;EUR;15/01/2026;14/02/2026\n"
    )
    f = write_invoices(tmp_path / "erp.csv", text)
    cmap = {
        "invoice_id": "Numero", "customer_id": "Client", "customer_name": "Nom",
        "amount": "Montant", "currency": "Devise", "issue_date": "Date", "due_date": "Echeance",
    }  # fmt: skip
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(f, column_map=cmap)
        item = ledger.open_items().iloc[0]
        assert item["open_amount"] == Decimal("1234.56")
        assert str(item["due_date"]) == "2026-02-14"
        assert ledger.customers().iloc[0]["name"] == "Dupont et Fils"


@pytest.mark.parametrize(
    ("bad", "error", "where"),
    [
        ("FA-002,C2,Beta GmbH,abc,EUR", AmountError, "line 3, column amount"),
        ("FA-002,C2,Beta GmbH,300.001,EUR", AmountError, "line 3, column amount"),
        ("FA-002,C2,Beta GmbH,300.00,EURO", InputError, "line 3, column currency"),
        ("FA-002,C2,Beta GmbH,300.00,EUR,2026-02-31", DateError, "line 3, column issue_date"),
        ("FA-001,C2,Beta GmbH,300.00,EUR", DuplicateIdError, "lines 2 and 3"),
    ],
)
def test_bad_row_is_named_and_nothing_is_imported(
    ledger_url: str, tmp_path: Path, bad: str, error: type[Exception], where: str
) -> None:
    lines = INVOICES_CSV.splitlines()
    old = lines[2].split(",")
    new = bad.split(",")
    lines[2] = ",".join(new + old[len(new) :])
    f = write_invoices(tmp_path / "bad.csv", "\n".join(lines) + "\n")
    with Ledger(ledger_url) as ledger:
        with pytest.raises(error) as info:
            ledger.import_invoices(f)
        assert where in str(info.value)
        assert "bad.csv" in str(info.value)
        assert ledger.status()["invoices"] == 0


def test_missing_column_and_missing_file(ledger_url: str, tmp_path: Path) -> None:
    f = write_invoices(tmp_path / "x.csv", "invoice_id,amount\nA,1\n")
    with Ledger(ledger_url) as ledger:
        with pytest.raises(ColumnError, match="customer_id"):
            ledger.import_invoices(f)
        with pytest.raises(InputError, match="not found"):
            ledger.import_invoices(tmp_path / "nope.csv")


def test_dataframe_input_with_credit_note(ledger_url: str) -> None:
    df = pd.DataFrame(
        {
            "invoice_id": ["I1", "CN1"],
            "customer_id": ["C", "C"],
            "customer_name": ["Cee", "Cee"],
            "amount": [Decimal("100.00"), "-20.00"],
            "currency": ["EUR", "EUR"],
            "issue_date": ["2026-01-01", "2026-01-05"],
            "due_date": ["2026-01-31", None],
            "credit_limit": ["5000", "5000"],
        }
    )
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(df)
        items = ledger.open_items().set_index("invoice_id")
        assert items.loc["CN1", "open_amount"] == Decimal("-20.00")
        assert ledger.customers().iloc[0]["credit_limit"] == Decimal("5000")
