"""The store with the real matching engine: autos applied, and a learned payer raises the score
of its next payment."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapprochement.store import Ledger
from rapprochement.store.reconcile import load_open_invoices, load_open_transactions
from tests.store.helpers import INVOICES_CSV, LINES, line, write_invoices, write_mt940

engine = pytest.importorskip("rapprochement.matching.engine")

EXTRA = INVOICES_CSV + (
    "FA-007,C1,Acme SA,200.00,EUR,2026-03-01,2026-03-31,,\n"
    "FA-008,C4,Delta SAS,200.00,EUR,2026-03-01,2026-03-31,,\n"
)


def test_learned_payer_makes_the_next_match_stronger(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", EXTRA))
        first = ledger.reconcile()
        assert first.auto_allocations >= 1
        assert "FA-001" in set(ledger.allocations()["invoice_id"])
        sugg = ledger.suggestions().set_index("invoice_id")
        ledger.accept(int(sugg.loc["FA-003", "suggestion_id"]))
        later = [line(20, "200.00", "ACME HLDG", "FR1420041010050500013M02606", "virement", "L1")]
        ledger.import_statements(write_mt940(tmp_path / "b.sta", later, "S2"))
        with ledger.engine.connect() as conn:
            tx, inv = load_open_transactions(conn), load_open_invoices(conn)
        blind = engine.reconcile(tx, inv).allocations.set_index("invoice_id")
        ledger.reconcile()
        sugg = ledger.suggestions().set_index("invoice_id")
        auto = ledger.allocations().set_index("invoice_id")
        after = (
            sugg.loc["FA-007", "score"] if "FA-007" in sugg.index else auto.loc["FA-007", "score"]
        )
        assert after > blind.loc["FA-007", "score"]
