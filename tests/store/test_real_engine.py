"""The store with the real matching engine: autos applied, and a payer learned from a manual
allocation raises the score of its next payment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rapprochement.store import Ledger
from rapprochement.store.reconcile import (
    load_known_payers,
    load_open_invoices,
    load_open_transactions,
)
from tests.store.helpers import INVOICES_CSV, LINES, line, write_invoices, write_mt940

engine = pytest.importorskip("rapprochement.matching.engine")

EXTRA = INVOICES_CSV + (
    "FA-007,C1,Acme SA,200.00,EUR,2026-03-01,2026-03-31,,\n"
    "FA-008,C4,Delta SAS,200.00,EUR,2026-03-01,2026-03-31,,\n"
)
HOLDING_IBAN = "FR1420041010050500013M02606"


def _score(allocations: pd.DataFrame, invoice_id: str) -> float:
    rows = allocations[allocations["invoice_id"] == invoice_id]
    return float(rows["score"].max()) if len(rows) else 0.0


def test_reconcile_with_the_engine_applies_autos(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", EXTRA))
        run = ledger.reconcile()
        assert run.auto_allocations >= 1
        assert "FA-001" in set(ledger.allocations()["invoice_id"])  # exact reference
        assert run.version


def test_learned_payer_makes_the_next_match_stronger(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", [LINES[3]]))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", EXTRA))
        with ledger.engine.connect() as conn:
            holding = load_open_transactions(conn)
        ledger.allocate(str(holding["transaction_id"].iloc[0]), "FA-003", "450.00")
        assert ledger.status()["learned_ibans"] == 1
        later = [line(20, "200.00", "ACME HLDG", HOLDING_IBAN, "virement", "L1")]
        ledger.import_statements(write_mt940(tmp_path / "b.sta", later, "S2"))
        with ledger.engine.connect() as conn:
            tx, inv = load_open_transactions(conn), load_open_invoices(conn)
            payers = load_known_payers(conn)
        blind = engine.reconcile(tx, inv).allocations
        taught = engine.reconcile(tx, inv, customers=payers).allocations
        assert _score(taught, "FA-007") > _score(blind, "FA-007")
        assert _score(taught, "FA-007") > _score(taught, "FA-008")
