"""A small ledger with every kind of settlement the accountant's export writes: one payment
for one invoice, one for two invoices, a discount written off, a partial payment (not
lettered) and an overpayment (suspense)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from rapprochement.store import Ledger
from tests.store.conftest import ledger_url, new_ledger_url
from tests.store.helpers import INVOICES_CSV, LINES, line, write_invoices, write_mt940

EXTRA = [
    line(9, "979.02", "DELTA SAS", "FR7610107001011234567890129", "FA-006 escompte 2%", "R6"),
    line(10, "250.00", "EPSILON", "", "acompte", "R7"),
    line(11, "80.00", "ZETA", "", "virement", "R8"),
]
INVOICES = INVOICES_CSV + "FA-007,C5,Epsilon SARL,400.00,EUR,2026-02-20,2026-03-20,FA-007,\n"
VALIDATED = dt.date(2026, 4, 1)


__all__ = ["ledger_url", "new_ledger_url", "settled"]  # the store's fixtures: SQLite and PG


@pytest.fixture
def settled(tmp_path: Path, ledger_url: str) -> Iterator[Ledger]:
    """The ledger, reconciled, with a partial allocation and an overpayment made by hand (on
    SQLite, and on PostgreSQL when RAPPROCHEMENT_PG_URL is set)."""
    sta = write_mt940(tmp_path / "a.sta", LINES + EXTRA)
    ledger = Ledger(ledger_url, user="test")
    ledger.import_statements([sta])
    ledger.import_invoices(write_invoices(tmp_path / "inv.csv", INVOICES))
    ledger.reconcile()
    open_lines = ledger.unmatched()
    by_payer = dict(zip(open_lines["counterparty_name"], open_lines["transaction_id"], strict=True))
    ledger.allocate(by_payer["EPSILON"], "FA-007", "250.00", note="deposit")
    ledger.allocate(by_payer["ZETA"], None, "80.00", note="unknown customer")
    yield ledger
    ledger.close()
