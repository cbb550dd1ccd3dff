"""``reconcile(..., rules=...)``: lines that are not customer payments are taken out before
matching, listed with their category and reason; returns and what they return too; the match
rate counts customer payments only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
from demo.writers import Line, camt053

import rapprochement
from rapprochement.rules import RuleSet, starter_rules

ACCOUNT = "FR7630004000031234567890143"
D = Decimal


def _invoices() -> pd.DataFrame:
    rows = [
        ("FA-1", "C1", "Acme SA", "1200.00", "FA-1"),
        ("FA-2", "C2", "Beta SARL", "3000.00", "FA-2"),
        ("FA-3", "C3", "Gamma SAS", "450.00", "FA-3"),
        ("FA-500", "C5", "Echo SARL", "500.00", "FA-500"),
        ("AV-9", "C9", "Other SA", "-500.00", "AV-9"),
    ]
    return pd.DataFrame(
        [
            {
                "invoice_id": i, "customer_id": c, "customer_name": n, "amount": D(a),
                "currency": "EUR", "issue_date": dt.date(2026, 2, 1),
                "due_date": dt.date(2026, 3, 1), "reference": r,
            }
            for i, c, n, a, r in rows
        ]
    )  # fmt: skip


def _statements(tmp_path: Path) -> list[rapprochement.Statement]:
    day = dt.date(2026, 3, 3)
    lines = [
        Line(day, D("1200.00"), "DGFIP", "", "REMBOURSEMENT CREDIT TVA", "T1"),
        Line(day, D("3000.00"), "BPI FRANCE", "", "VERSEMENT PRET 778", "T2"),
        Line(day, D("450.00"), "GAMMA SAS", "", "Facture FA-3", "T3"),
        Line(day, D("-25.00"), "FOURNISSEUR", "", "achat", "T4"),
        Line(day, D("-500.00"), "ECHO SARL", "", "RETOUR PRLV", "T5", reason="AM04"),
    ]
    path = tmp_path / "s.xml"
    path.write_text(camt053(ACCOUNT, "S1", D(0), lines), encoding="utf-8")
    return rapprochement.read_statement(path)


def test_categorized_lines_and_returns_are_never_matched(tmp_path: Path) -> None:
    result = rapprochement.reconcile(_statements(tmp_path), _invoices(), rules=starter_rules())
    cats = result.categorized.set_index("category")
    assert set(cats.index) == {"tax", "loan", "return"}
    assert cats.loc["tax", "rule_id"] == "fr-dgfip"
    assert "AM04 (insufficient funds)" in cats.loc["return", "reason"]
    assert set(result.allocations["invoice_id"]) == {"FA-3"}
    s = result.summary()
    assert (s["transactions"], s["customer_payments"], s["outgoing"]) == (2, 1, 1)
    assert (s["customer_payments_matched"], s["match_rate"]) == (1, 1.0)
    assert s["by_category"] == {"loan": 1, "return": 1, "tax": 1}


def test_an_empty_rule_set_still_takes_returns_out(tmp_path: Path) -> None:
    result = rapprochement.reconcile(_statements(tmp_path), _invoices(), rules=RuleSet())
    assert list(result.categorized["category"]) == ["return"]
    assert "AV-9" not in set(result.allocations["invoice_id"])


def test_rules_on_a_dataframe_with_bank_codes() -> None:
    tx = pd.DataFrame(
        [
            {
                "transaction_id": "L1", "booking_date": dt.date(2026, 3, 3), "amount": D("-9.90"),
                "currency": "EUR", "counterparty_name": "", "counterparty_iban": "",
                "remittance_info": "", "bank_transaction_code": "NCHG", "code_scheme": "mt940",
            }
        ]
    )  # fmt: skip
    result = rapprochement.reconcile(tx, _invoices(), rules=starter_rules())
    assert list(result.categorized["rule_id"]) == ["code-fees"]
    assert result.summary()["transactions"] == 0


def test_without_rules_nothing_is_taken_out(tmp_path: Path) -> None:
    result = rapprochement.reconcile(_statements(tmp_path), _invoices())
    assert result.categorized.empty
    assert result.summary()["transactions"] == 5
