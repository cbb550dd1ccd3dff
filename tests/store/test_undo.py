"""Undo: an allocation (automatic, with its fee write-off, or a run's), the invoice reopened,
the audit trail kept, the pair not proposed again without new evidence; manual allocation."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from rapprochement.errors import NotFoundError
from rapprochement.store import Ledger
from tests.store.fake_matcher import fake_matcher
from tests.store.helpers import LINES, line, write_invoices, write_mt940

FEE_LINE = line(20, "996.50", "DELTA SAS", "", "Facture FA-006", "F1")  # 999.00 less 2.50


def _open(ledger: Ledger) -> dict[str, Decimal]:
    items = ledger.open_items()
    return dict(zip(items["invoice_id"], items["open_amount"], strict=True))


def _auto(ledger: Ledger, invoice: str) -> int:
    al = ledger.allocations()
    return int(al.loc[al["invoice_id"] == invoice, "allocation_id"].iat[0])


def test_undo_of_an_automatic_allocation(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url, user="alice") as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        ledger.reconcile(matcher=fake_matcher)
        alloc = _auto(ledger, "FA-001")
        assert ledger.unallocate(alloc, reason="wrong customer") == ["FA-001"]
        assert _open(ledger)["FA-001"] == Decimal("1200.00")
        trail = ledger.undone_allocations().iloc[0]
        assert (trail["allocation_id"], trail["undone_by"], trail["reason"]) == (
            alloc, "alice", "wrong customer"
        )  # fmt: skip
        assert trail["source"] == "auto"
        assert trail["undo_kind"] == "undo"
        # the matcher proposes the pair again: dropped
        run = ledger.reconcile(matcher=fake_matcher)
        assert run.auto_allocations == 0
        assert run.skipped_rejected >= 1
        assert "FA-001" not in set(ledger.allocations()["invoice_id"])
        with pytest.raises(NotFoundError):
            ledger.unallocate(alloc)  # undone already


def test_new_evidence_lifts_the_rejection(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        ledger.reconcile(matcher=fake_matcher)
        ledger.unallocate(_auto(ledger, "FA-001"))
        # a partial payment of FA-001 by another line changes what the matcher sees
        extra = [line(12, "200.00", "ACME SA", "", "acompte", "P1")]
        ledger.import_statements(write_mt940(tmp_path / "b.sta", extra, "S2"))
        with ledger.engine.connect() as conn:
            from rapprochement.store.reconcile import load_open_transactions

            open_tx = load_open_transactions(conn)
        p1 = open_tx.loc[open_tx["remittance_info"] == "acompte", "transaction_id"].iat[0]
        ledger.allocate(str(p1), "FA-001", "200.00")
        assert _open(ledger)["FA-001"] == Decimal("1000.00")
        run = ledger.reconcile(matcher=fake_matcher)
        assert run.skipped_rejected == 0
        assert "FA-001" in set(ledger.allocations()["invoice_id"])


def test_undo_of_a_fee_write_off_reopens_the_whole_invoice(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
        ledger.import_statements(write_mt940(tmp_path / "f.sta", [FEE_LINE], "F1"))
        ledger.reconcile()
        al = ledger.allocations()
        assert sorted(al["kind"]) == ["fee", "fee_write_off"]
        write_off = int(al.loc[al["kind"] == "fee_write_off", "allocation_id"].iat[0])
        assert ledger.unallocate(write_off, reason="not a fee") == ["FA-006"]
        assert ledger.allocations().empty
        assert _open(ledger)["FA-006"] == Decimal("999.00")
        assert sorted(ledger.undone_allocations()["kind"]) == ["fee", "fee_write_off"]
        assert ledger.status()["written_off_amount"] == {}
        run = ledger.reconcile()
        assert run.auto_allocations == 0  # the same pair, same evidence: not again
        assert ledger.allocations().empty


def test_undo_of_a_reconcile_run(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        run = ledger.reconcile(matcher=fake_matcher)
        rows, reopened = ledger.undo_run(run.run_id, reason="bad config")
        assert (rows, reopened) == (run.auto_allocations, ["FA-001"])
        assert ledger.allocations().empty
        assert ledger.status()["matched_transactions"] == 0
        assert set(ledger.undone_allocations()["undo_kind"]) == {"rollback"}
        # a rollback rejects nothing: the next run makes the same allocations again
        again = ledger.reconcile(matcher=fake_matcher)
        assert again.auto_allocations == run.auto_allocations
        assert "FA-001" not in _open(ledger)


def test_undo_of_a_reconcile_run_as_wrong_rejects_its_pairs(
    ledger_url: str, tmp_path: Path
) -> None:
    with Ledger(ledger_url) as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        run = ledger.reconcile(matcher=fake_matcher)
        rows, _ = ledger.undo_run(run.run_id, reason="wrong matches", reject=True)
        assert rows == run.auto_allocations
        assert set(ledger.undone_allocations()["undo_kind"]) == {"undo"}
        assert ledger.reconcile(matcher=fake_matcher).auto_allocations == 0


def test_manual_allocation(ledger_url: str, tmp_path: Path) -> None:
    with Ledger(ledger_url, user="bob") as ledger:
        ledger.import_statements(write_mt940(tmp_path / "a.sta", LINES))
        ledger.import_invoices(write_invoices(tmp_path / "i.csv"))
        with ledger.engine.connect() as conn:
            from rapprochement.store.reconcile import load_open_transactions

            open_tx = load_open_transactions(conn)
        beta = str(
            open_tx.loc[open_tx["counterparty_name"] == "BETA GMBH", "transaction_id"].iat[0]
        )
        alloc = ledger.allocate(beta, "FA-002", "300.00", note="phoned")
        row = ledger.allocations().set_index("allocation_id").loc[alloc]
        assert (row["source"], row["made_by"], row["invoice_id"]) == ("manual", "bob", "FA-002")
        assert "FA-002" not in _open(ledger)
        assert ledger.unallocate(alloc) == ["FA-002"]
        assert ledger.status()["learned_ibans"] == 0  # what it taught is forgotten
