"""A payment short of its invoice by a bank fee or a discount closes the invoice in the ledger
too: the shortfall is a write-off row (invoice side only), never an open item to dun."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from rapprochement.matching.config import MatchConfig
from rapprochement.store import SCHEMA_VERSION, Ledger
from rapprochement.store import schema as t
from rapprochement.store.write_offs import write_offs
from tests.store.helpers import line, write_invoices, write_mt940

FEE_LINE = line(20, "996.50", "DELTA SAS", "", "Facture FA-006", "F1")  # 999.00 less 2.50


def _fee_ledger(url: str, tmp: Path) -> Ledger:
    ledger = Ledger(url)
    ledger.import_invoices(write_invoices(tmp / "inv.csv"))
    ledger.import_statements(write_mt940(tmp / "f.sta", [FEE_LINE], "F1"))
    ledger.reconcile()
    return ledger


def _rows(ledger: Ledger, invoice: str) -> list[tuple[str, int]]:
    a = t.allocations.c
    with ledger.engine.connect() as conn:
        q = select(a.kind, a.amount_minor).where(a.invoice_id == invoice).order_by(a.id)
        return [(str(k), int(m)) for k, m in conn.execute(q)]


def test_a_fee_allocation_closes_its_invoice(ledger_url: str, tmp_path: Path) -> None:
    with _fee_ledger(ledger_url, tmp_path) as ledger:
        assert _rows(ledger, "FA-006") == [("fee", 99650), ("fee_write_off", 250)]
        assert "FA-006" not in set(ledger.open_items()["invoice_id"])
        # the bank line holds 996.50 and is allocated 996.50: the write-off moves no cash
        x = t.transactions.c
        with ledger.engine.connect() as conn:
            amount, allocated = conn.execute(
                select(x.amount_minor, x.allocated_minor).where(x.amount_minor == 99650)
            ).one()
        assert allocated == amount
        status = ledger.status()
        assert status["open_invoices"] == len(ledger.open_items())
        assert status["written_off_amount"] == {"EUR": "2.50"}
        assert status["matched_amount"] == {"EUR": "996.50"}  # cash only


def test_an_accepted_discount_suggestion_writes_off_too(ledger_url: str, tmp_path: Path) -> None:
    # 2 % early-payment discount on FA-003 (450.00); nothing automatic (auto threshold 1.0),
    # so the allocation is written when the reviewer accepts the suggestion
    pay = line(15, "441.00", "ACME SA", "", "FA-003 escompte 2%", "D1")
    with Ledger(ledger_url) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv"))
        ledger.import_statements(write_mt940(tmp_path / "d.sta", [pay], "D1"))
        ledger.reconcile(MatchConfig(auto_threshold=1.0))
        pending = ledger.suggestions()
        mine = pending[pending["invoice_id"] == "FA-003"]
        assert list(mine["kind"]) == ["discount"]
        assert "FA-003" in set(ledger.open_items()["invoice_id"])
        ledger.accept(int(mine["suggestion_id"].iloc[0]))
        assert _rows(ledger, "FA-003") == [("discount", 44100), ("discount_write_off", 900)]
        assert "FA-003" not in set(ledger.open_items()["invoice_id"])


def test_a_ledger_written_before_write_offs_is_mended_on_open(
    ledger_url: str, tmp_path: Path
) -> None:
    with _fee_ledger(ledger_url, tmp_path) as ledger:
        # take the ledger back to schema 1: the fee allocation without its write-off
        a, i, v = t.allocations.c, t.invoices.c, t.schema_version.c
        with ledger.engine.begin() as conn:
            conn.execute(delete(t.allocations).where(a.kind == "fee_write_off"))
            conn.execute(
                update(t.invoices)
                .where(i.invoice_id == "FA-006")
                .values(allocated_minor=i.allocated_minor - 250)
            )
            conn.execute(delete(t.schema_version).where(v.version > 1))
        assert "FA-006" in set(ledger.open_items()["invoice_id"])
    with Ledger(ledger_url) as reopened:
        assert reopened.status()["schema_version"] == SCHEMA_VERSION
        assert _rows(reopened, "FA-006") == [("fee", 99650), ("fee_write_off", 250)]
        assert "FA-006" not in set(reopened.open_items()["invoice_id"])


@pytest.mark.parametrize(
    ("kind", "amount", "left", "expected"),
    [
        ("fee", 99650, 250, [("fee_write_off", 250)]),
        ("discount", -44100, -900, [("discount_write_off", -900)]),  # a debit side, sign kept
        ("fee", 99650, 0, []),  # nothing left: nothing to write off
        ("fee", 99650, -250, []),  # over-settled: never a negative write-off
        ("partial", 50000, 49900, []),  # a partial payment leaves the rest open
    ],
)
def test_write_offs_take_only_what_a_fee_or_discount_leaves(
    kind: str, amount: int, left: int, expected: list[tuple[str, int]]
) -> None:
    row = {"transaction_id": "T", "invoice_id": "I", "amount_minor": amount, "kind": kind}
    got = write_offs([row], {"I": left})
    assert [(r["kind"], r["amount_minor"]) for r in got] == expected
