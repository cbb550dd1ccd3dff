"""The documents a bank line refers to, kept by the ledger (schema 8): a discount the bank states
in a CAMT statement (``RfrdDocAmt``) is booked as a discount by a ledger reconcile, as it is in
memory (tests/matching/test_scenarios.py)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, inspect, select

from rapprochement.store import SCHEMA_VERSION, Ledger
from rapprochement.store import schema as t
from rapprochement.store.remittances import line_documents, open_line_remittances

pytest.importorskip("rapprochement.matching.engine")

ROOT = Path(__file__).resolve().parent.parent
CAMT = ROOT / "fixtures" / "camt" / "camt053_v08_referred_amounts.xml"
INVOICES = ROOT / "scenarios" / "bank_stated_discount_is_a_discount" / "invoices.csv"


def _documents(ledger: Ledger) -> list[tuple[str, int | None, int | None, int | None]]:
    d = line_documents.c
    with ledger.engine.connect() as conn:
        q = select(d.reference, d.remitted_minor, d.due_minor, d.discount_minor)
        return [tuple(r) for r in conn.execute(q.order_by(d.transaction_id, d.position))]


def test_import_keeps_the_referred_documents_of_a_camt_line(
    new_ledger_url: Callable[[], str],
) -> None:
    with Ledger(new_ledger_url()) as ledger:
        ledger.import_statements(CAMT)
        # due 1250.00, discount 20.00, remitted 1230.00, in minor units
        assert _documents(ledger) == [("F-2041", 123000, 125000, 2000)]


def test_a_discount_the_bank_states_is_booked_as_a_discount_through_the_ledger(
    new_ledger_url: Callable[[], str],
) -> None:
    with Ledger(new_ledger_url()) as ledger:
        ledger.import_invoices(INVOICES)
        ledger.import_statements(CAMT)
        run = ledger.reconcile()
        assert run.auto_allocations == 1
        got = ledger.allocations()
        paid = got[got["invoice_id"] == "F-2041"]
        # the payment as a discount, and the 20.00 the bank states written off as a discount
        # (not a fee): the invoice is closed
        assert sorted((r.amount, r.kind) for r in paid.itertuples()) == [
            (Decimal("20.00"), "discount_write_off"),
            (Decimal("1230.00"), "discount"),
        ]
        assert "F-2041" not in set(ledger.open_items()["invoice_id"])
        assert "F-2050" in set(ledger.open_items()["invoice_id"])


def test_a_line_partly_allocated_gives_no_stated_split(new_ledger_url: Callable[[], str]) -> None:
    with Ledger(new_ledger_url()) as ledger:
        ledger.import_invoices(INVOICES)
        ledger.import_statements(CAMT)
        with ledger.engine.connect() as conn:
            (tid,) = conn.execute(select(t.transactions.c.transaction_id)).scalars()
            assert open_line_remittances(conn, [tid]) is not None
        ledger.allocate(tid, "F-2050", "100.00")
        with ledger.engine.connect() as conn:
            assert open_line_remittances(conn, [tid]) is None


def test_importing_again_fills_the_documents_of_lines_imported_before_schema_8(
    new_ledger_url: Callable[[], str],
) -> None:
    with Ledger(new_ledger_url()) as ledger:
        ledger.import_statements(CAMT)
        with ledger.engine.begin() as conn:
            conn.execute(delete(line_documents))
        assert _documents(ledger) == []
        summary = ledger.import_statements(CAMT)
        assert summary.statements_known == 1
        assert _documents(ledger) == [("F-2041", 123000, 125000, 2000)]


def test_migration_8_adds_the_table_to_a_version_7_ledger(ledger_url: str) -> None:
    with Ledger(ledger_url) as ledger, ledger.engine.begin() as conn:
        line_documents.drop(conn)
        conn.execute(delete(t.schema_version).where(t.schema_version.c.version >= 8))
    with Ledger(ledger_url) as ledger:
        assert ledger.status()["schema_version"] == SCHEMA_VERSION >= 8
        assert "line_documents" in set(inspect(ledger.engine).get_table_names())
        ledger.import_statements(CAMT)
        assert len(_documents(ledger)) == 1


def test_rapprochement_reconcile_on_a_ledger_books_the_stated_discount(tmp_path: Path) -> None:
    from rapprochement.cli import EXIT_OK, main

    db = ["--db", str(tmp_path / "b.db")]
    assert main(["import", str(CAMT), *db]) == EXIT_OK
    assert main(["invoices", "import", str(INVOICES), *db]) == EXIT_OK
    assert main(["reconcile", *db]) == EXIT_OK
    with Ledger(tmp_path / "b.db") as ledger:
        got = ledger.allocations()
    assert sorted(zip(got["invoice_id"], got["kind"], strict=True)) == [
        ("F-2041", "discount"),
        ("F-2041", "discount_write_off"),
    ]
