"""The Python API as a person uses it (issue 15): short reprs, readable balances, typed
summary values, structured explanations, frames that join back to the bank."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd

import rapprochement as rp
from rapprochement import Balance, read_statement, transactions_frame
from rapprochement.matching.scoring import Contribution
from tests.store.helpers import ACCOUNT, LINES, write_camt


def _statement(tmp_path: Path) -> rp.Statement:
    (st,) = read_statement(write_camt(tmp_path / "a.xml", LINES))
    return st


def test_reprs_are_one_short_line(tmp_path: Path) -> None:
    st = _statement(tmp_path)
    text = repr(st)
    assert text.startswith("Statement(camt.053 ")
    assert "5 entries" in text
    assert len(text) < 200
    assert "\n" not in text
    entry = repr(st.entries[0])
    assert entry.startswith("Entry(2026-03-02 1200.00 EUR booked, ACME SA: Facture FA-001")
    assert len(entry) < 200


def test_str_of_a_balance_reads_amount_currency_kind_and_date(tmp_path: Path) -> None:
    st = _statement(tmp_path)
    assert st.closing_balance is not None
    closing = str(st.closing_balance)
    assert closing.endswith(" EUR (closing, 2026-03-06)")
    assert repr(st.closing_balance) == f"Balance({closing})"
    loose = Balance(amount=Decimal("5.66"), date=dt.date(2026, 3, 31), type="CLBD")
    assert str(loose) == "5.66 (closing, 2026-03-31)"


def test_version_is_a_string() -> None:
    assert isinstance(rp.__version__, str)


def test_summary_values_are_typed_and_explanations_structured(tmp_path: Path) -> None:
    st = _statement(tmp_path)
    tx = transactions_frame([st])
    assert set(tx["account"]) == {ACCOUNT}
    assert list(tx["bank_reference"]) == ["R1", "R2", "R3", "R4", "R5"]
    invoices = pd.DataFrame(
        [("FA-001", "C1", "Acme SA", Decimal("1200.00"), "EUR", dt.date(2026, 2, 1),
          dt.date(2026, 3, 3))],
        columns=["invoice_id", "customer_id", "customer_name", "amount", "currency",
                 "issue_date", "due_date"],
    )  # fmt: skip
    result = rp.reconcile(tx, invoices)
    summary = result.summary()
    assert isinstance(summary["amount_auto"], Decimal)
    assert isinstance(summary["amount_suggested"], Decimal)
    assert isinstance(summary["match_rate"], float)
    assert isinstance(summary["transactions"], int)
    paid = str(result.allocations["transaction_id"].iat[0])
    found = result.explanations(paid)
    assert list(found) == ["FA-001"]
    assert all(isinstance(c, Contribution) for c in found["FA-001"])
    assert result.explanations("nope") == {}
