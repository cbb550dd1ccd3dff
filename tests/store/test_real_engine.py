"""The store with the real matching engine: autos applied, and a payer learned from a manual
allocation raises the score of its next payment."""

from __future__ import annotations

from collections.abc import Callable
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


#: Sister companies of one group, paid by the group's treasury account.
SISTERS = (
    "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference,"
    "customer_iban\n"
    "FA-2026-000411,C1,Boulangerie Perrin SARL,1840.00,EUR,2026-02-02,2026-03-04,FA-2026-000411,\n"
    "FA-2026-000457,C2,Menuiserie Lefevre SARL,2315.40,EUR,2026-02-06,2026-03-08,FA-2026-000457,\n"
)
GROUP_IBAN = "FR3212739000709137844765271"


def test_a_learned_parent_company_is_a_third_party_not_a_sister_companys_account(
    new_ledger_url: Callable[[], str], tmp_path: Path
) -> None:
    with Ledger(new_ledger_url()) as ledger:
        ledger.import_invoices(write_invoices(tmp_path / "i.csv", SISTERS))
        first = [line(5, "1840.00", "ARCADIA GROUPE SA", GROUP_IBAN, "VIREMENT", "P1")]
        ledger.import_statements(write_mt940(tmp_path / "a.sta", first))
        ledger.reconcile()
        sugg = ledger.suggestions()
        assert list(sugg["invoice_id"]) == ["FA-2026-000411"]  # the payer is not the customer
        ledger.accept(int(sugg["suggestion_id"].iat[0]))
        with ledger.engine.connect() as conn:
            payers = load_known_payers(conn)
        # the IBAN is learned under the name of the line it came from: a third party's
        row = payers[payers["iban"] == GROUP_IBAN]
        assert list(zip(row["customer_id"], row["name"], strict=True)) == [
            ("C1", "ARCADIA GROUPE SA")
        ]
        # the group then pays the sister company late, quoting the tail of its invoice number
        later = [line(28, "2315.40", "ARCADIA GROUPE SA", GROUP_IBAN, "REGLEMENT FACT 457", "P2")]
        ledger.import_statements(write_mt940(tmp_path / "b.sta", later, "S2"))
        run = ledger.reconcile(as_of=None)
        al = ledger.allocations()
        got = al[al["invoice_id"] == "FA-2026-000457"]
        assert list(got["source"]) == ["auto"], (run, ledger.suggestions())


def test_a_withheld_reading_shows_in_the_unmatched_queue(tmp_path: Path) -> None:
    """A part payment nothing names is withheld by the engine (ADR 0016): the line stays
    unallocated, and the queue says why and which invoice the reading was, instead of
    "no candidate"."""
    import datetime as dt
    from decimal import Decimal

    import pandas as pd
    from demo.writers import Line

    from rapprochement.cli.queue import why_not
    from tests.store.helpers import write_camt

    invoices = pd.DataFrame(
        [
            {"invoice_id": "109752", "customer_id": "C1",
             "customer_name": "Mid-Atlantic Medical Group L.L.C.", "amount": "27057.99",
             "currency": "EUR", "issue_date": "2025-12-22", "due_date": "2026-01-21",
             "reference": "P4661929", "customer_iban": ""},
        ]
    )  # fmt: skip
    line = Line(dt.date(2026, 4, 27), Decimal("2877.26"), "NATL MEDICAL GRO", "",
                "ORIG CO NAME:NATL MEDICAL GRO CO ENTRY DESCR:VENDOR PMT", "R1")  # fmt: skip
    with Ledger(f"sqlite:///{tmp_path / 'w.db'}") as ledger:
        ledger.import_invoices(invoices)
        ledger.import_statements(write_camt(tmp_path / "a.xml", [line], "A"))
        run = ledger.reconcile()
        assert (run.auto_allocations, run.suggestions) == (0, 0)
        rows = ledger.unmatched().to_dict("records")
    assert len(rows) == 1
    row = rows[0]
    assert row["reason"] == "withheld"
    assert row["candidate_invoice"] == "109752"
    assert row["score"] is None
    assert "far-fetched" in why_not({str(k): v for k, v in row.items()})
