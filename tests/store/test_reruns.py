"""Re-running reconcile: a run is never more confident than the one before on the same evidence.

The matcher below decides by elimination, as any matcher does once rivals are gone: a payment
whose amount fits one open invoice is automatic, two is a suggestion, three or more is left
unmatched (an invoice reference in the text wins outright). Candidates are counted before the
run allocates anything, as a real matcher sees them.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from sqlalchemy import delete, update

from rapprochement.store import Ledger
from rapprochement.store import schema as t
from rapprochement.store.evidence import HELD_FEATURE
from rapprochement.store.migrate import SCHEMA_VERSION
from tests.store.fake_matcher import COLUMNS
from tests.store.helpers import line, write_invoices, write_mt940

HEAD = "invoice_id,customer_id,customer_name,amount,currency,issue_date,due_date,reference\n"
INVOICES = HEAD + (
    "FA-A,C1,Acme SA,100.00,EUR,2026-02-01,2026-03-03,FA-A\n"
    "FA-B,C2,Beta SARL,100.00,EUR,2026-02-02,2026-03-04,FA-B\n"
    "FA-E,C2,Beta SARL,50.00,EUR,2026-02-03,2026-03-05,FA-E\n"
    "FA-F,C3,Gamma SAS,50.00,EUR,2026-02-04,2026-03-06,FA-F\n"
)
P1 = line(2, "100.00", "ACME SA", "", "Facture FA-A", "P1")  # names its invoice
P2 = line(3, "100.00", "B. SARL", "", "virement", "P2")  # FA-A or FA-B: a suggestion
P3 = line(4, "50.00", "SOMEONE", "", "paiement", "P3")  # FA-E or FA-F: a suggestion


def eliminating_matcher(
    transactions: pd.DataFrame, invoices: pd.DataFrame, **_: Any
) -> SimpleNamespace:
    inv = invoices.sort_values("invoice_id").to_dict("records")
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    for tx in sorted(transactions.to_dict("records"), key=lambda r: r["transaction_id"]):
        amt = Decimal(tx["amount"])
        named = [r for r in inv if r["reference"] and r["reference"] in tx["remittance_info"]]
        fits = named or [r for r in inv if Decimal(r["open_amount"]) == amt]
        free = [r for r in fits if r["invoice_id"] not in taken]
        if not free or len(fits) > 2:
            continue
        status = "auto" if len(fits) == 1 else "suggested"
        iid = free[0]["invoice_id"]
        if status == "auto":
            taken.add(iid)
        expl = json.dumps([{"feature": "candidates", "value": len(fits), "weight": 1.0}])
        rows.append(
            {"transaction_id": tx["transaction_id"], "invoice_id": iid, "amount": amt,
             "currency": "EUR", "status": status, "score": 0.99 if status == "auto" else 0.6,
             "kind": "one_to_one", "group_id": None, "explanation": expl}
        )  # fmt: skip
    return SimpleNamespace(allocations=pd.DataFrame(rows, columns=COLUMNS), version="elim-1")


def _ledger(url: str, tmp_path: Path, lines: list[Any], invoices: str = INVOICES) -> Ledger:
    ledger = Ledger(url)
    ledger.import_statements(write_mt940(tmp_path / "a.sta", lines))
    ledger.import_invoices(write_invoices(tmp_path / "inv.csv", invoices))
    return ledger


def _auto_pairs(ledger: Ledger, run_id: int) -> set[str]:
    al = ledger.allocations()
    return set(al[(al["run_id"] == run_id) & (al["source"] == "auto")]["invoice_id"])


def test_a_rerun_on_an_unchanged_ledger_adds_no_automatic_allocation(
    ledger_url: str, tmp_path: Path
) -> None:
    with _ledger(ledger_url, tmp_path, [P1, P2]) as ledger:
        first = ledger.reconcile(matcher=eliminating_matcher)
        assert _auto_pairs(ledger, first.run_id) == {"FA-A"}
        assert first.suggestions == 1  # P2: FA-A or FA-B
        for _ in range(2):  # FA-A is settled: by elimination P2 now fits FA-B alone
            again = ledger.reconcile(matcher=eliminating_matcher)
            assert again.auto_allocations == 0
            assert again.held_as_suggestions == 1
            assert again.suggestions == 1
        pending = ledger.suggestions()
        assert list(pending["invoice_id"]) == ["FA-B"]
        held = [
            c for c in json.loads(pending["explanation"].iloc[0]) if c["feature"] == HELD_FEATURE
        ]
        assert held
        assert f"run {first.run_id}" in held[0]["value"]


def test_a_line_left_unmatched_stays_unmatched_without_new_evidence(
    ledger_url: str, tmp_path: Path
) -> None:
    invoices = INVOICES + "FA-G,C4,Delta SA,100.00,EUR,2026-02-05,2026-03-07,FA-G\n"
    with _ledger(ledger_url, tmp_path, [P1, P2], invoices) as ledger:
        first = ledger.reconcile(matcher=eliminating_matcher)
        assert first.suggestions == 0  # P2 fits three invoices: left unmatched
        again = ledger.reconcile(matcher=eliminating_matcher)  # now two: a suggestion
        assert (again.auto_allocations, again.suggestions, again.held_unmatched) == (0, 0, 1)


def test_a_new_invoice_is_new_evidence(ledger_url: str, tmp_path: Path) -> None:
    p2 = line(3, "100.00", "B. SARL", "", "virement FA-H", "P2")
    with _ledger(ledger_url, tmp_path, [P1, p2]) as ledger:
        ledger.reconcile(matcher=eliminating_matcher)
        assert len(ledger.suggestions()) == 1  # FA-H is not in the books yet
        ledger.import_invoices(
            write_invoices(
                tmp_path / "more.csv", HEAD + "FA-H,C2,Beta SARL,100.00,EUR,2026-02-20,,FA-H\n"
            )
        )
        again = ledger.reconcile(matcher=eliminating_matcher)
        assert _auto_pairs(ledger, again.run_id) == {"FA-H"}
        assert again.held_as_suggestions == 0


def test_a_changed_invoice_is_new_evidence(ledger_url: str, tmp_path: Path) -> None:
    with _ledger(ledger_url, tmp_path, [P1, P2]) as ledger:
        ledger.reconcile(matcher=eliminating_matcher)
        ledger.import_invoices(  # FA-B's due date corrected by the ERP: seen anew
            write_invoices(tmp_path / "v2.csv", INVOICES.replace("2026-03-04", "2026-03-14"))
        )
        again = ledger.reconcile(matcher=eliminating_matcher)
        assert _auto_pairs(ledger, again.run_id) == {"FA-B"}


def test_a_decision_on_the_customer_is_new_evidence(ledger_url: str, tmp_path: Path) -> None:
    with _ledger(ledger_url, tmp_path, [P1, P2, P3]) as ledger:
        ledger.reconcile(matcher=eliminating_matcher)
        p3 = ledger.suggestions()
        p3 = p3[p3["invoice_id"] == "FA-E"]
        ledger.accept(int(p3["suggestion_id"].iloc[0]))  # a person settles Beta's FA-E
        again = ledger.reconcile(matcher=eliminating_matcher)
        assert _auto_pairs(ledger, again.run_id) == {"FA-B"}  # Beta's other invoice


def test_new_lines_are_matched_as_in_a_first_run(ledger_url: str, tmp_path: Path) -> None:
    with _ledger(ledger_url, tmp_path, [P1]) as ledger:
        ledger.reconcile(matcher=eliminating_matcher)
        ledger.import_statements(write_mt940(tmp_path / "b.sta", [P2], stmt_id="S2"))
        again = ledger.reconcile(matcher=eliminating_matcher)
        assert _auto_pairs(ledger, again.run_id) == {"FA-B"}  # P2 is new: nothing to hold


def test_a_ledger_of_schema_2_holds_its_reruns_after_migration(
    ledger_url: str, tmp_path: Path
) -> None:
    with _ledger(ledger_url, tmp_path, [P1, P2]) as ledger:
        ledger.reconcile(matcher=eliminating_matcher)
        v = t.schema_version.c
        with ledger.engine.begin() as conn:  # as an older library left it
            conn.execute(update(t.transactions).values(seen_run=None, last_outcome=None))
            conn.execute(update(t.invoices).values(seen_run=None))
            conn.execute(update(t.reconcile_runs).values(decision_mark=None, allocation_mark=None))
            conn.execute(delete(t.schema_version).where(v.version > 2))
    with Ledger(ledger_url) as reopened:
        assert reopened.status()["schema_version"] == SCHEMA_VERSION
        again = reopened.reconcile(matcher=eliminating_matcher)
        assert (again.auto_allocations, again.held_as_suggestions) == (0, 1)


def _strip_entry_dates(path: Path) -> Path:
    text = path.read_text(encoding="latin-1")
    path.write_text(re.sub(r":61:(\d{6})\d{4}", r":61:\1", text), encoding="latin-1")
    return path


def test_lines_without_a_booking_date_are_matched_by_their_value_date(
    ledger_url: str, tmp_path: Path
) -> None:
    """An MT940 :61: line may omit its entry date; one such line blocked every reconcile."""
    with Ledger(ledger_url) as ledger:
        sta = _strip_entry_dates(write_mt940(tmp_path / "a.sta", [P1, P2]))
        ledger.import_statements(sta)
        ledger.import_invoices(write_invoices(tmp_path / "inv.csv", INVOICES))
        with ledger.engine.begin() as conn:  # as a ledger imported before the parser's fix
            conn.execute(update(t.transactions).values(booking_date=None))
        run = ledger.reconcile(matcher=eliminating_matcher)
        assert _auto_pairs(ledger, run.run_id) == {"FA-A"}
        assert run.undated_transactions == 0
        with ledger.engine.begin() as conn:  # a line with no date at all is left out, counted
            conn.execute(update(t.transactions).values(value_date=None))
        run = ledger.reconcile(matcher=eliminating_matcher)
        assert (run.transactions, run.undated_transactions) == (0, 1)


def test_a_payment_repeating_one_an_earlier_run_settled_is_not_automatic(
    ledger_url: str, tmp_path: Path
) -> None:
    """The matcher cannot see a payment an earlier run allocated: the same transfer again
    (payer, amount, text) is a possible duplicate, not a payment of the payer's next invoice."""
    iban = "FR7630006000011234567890189"
    invoices = HEAD.replace(",reference\n", ",reference,customer_iban\n") + (
        f"INV-7001,C1,Muller SARL,420.00,EUR,2026-02-03,2026-03-05,INV-7001,{iban}\n"
        f"INV-7002,C1,Muller SARL,420.00,EUR,2026-02-10,2026-03-12,INV-7002,{iban}\n"
    )
    first = line(5, "420.00", "MULLER SARL", iban, "FACTURE INV-7001", "D1")
    again = line(16, "420.00", "MULLER SARL", iban, "FACTURE INV-7001", "D2")
    with _ledger(ledger_url, tmp_path, [first], invoices) as ledger:
        run = ledger.reconcile()
        assert _auto_pairs(ledger, run.run_id) == {"INV-7001"}
        ledger.import_statements(write_mt940(tmp_path / "b.sta", [again], stmt_id="S2"))
        run = ledger.reconcile()
        assert run.auto_allocations == 0
        held = ledger.suggestions()
        assert list(held["invoice_id"]) == ["INV-7002"]
        notes = [
            c["value"]
            for c in json.loads(held["explanation"].iloc[0])
            if c["feature"] == HELD_FEATURE
        ]
        assert "possible duplicate payment" in notes[0]
