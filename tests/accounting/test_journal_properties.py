"""Invariants of the journal, whatever the settlements (Hypothesis): every entry balances, the
file's debits equal its credits, no line is both debit and credit, and each lettering code of a
customer adds up to what its settled invoice received."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from rapprochement.accounting import build_journal

_DAY = dt.date(2026, 3, 1)


@st.composite
def settlements(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    settled = draw(st.sets(st.sampled_from([f"F{i}" for i in range(6)])))  # nothing left open
    n_lines = draw(st.integers(1, 8))
    for k in range(n_lines):
        sign = draw(st.sampled_from([1, 1, 1, -1]))
        for j in range(draw(st.integers(1, 3))):
            invoice = draw(st.one_of(st.none(), st.sampled_from([f"F{i}" for i in range(6)])))
            kind = draw(st.sampled_from(["one_to_one", "grouped", "partial", "fee_write_off",
                                         "discount_write_off", "overpayment"]))  # fmt: skip
            if invoice is None:
                kind = "overpayment"
            rows.append({
                "transaction_id": f"T{k}", "invoice_id": invoice,
                "customer_id": None if invoice is None else f"C{int(invoice[1:]) % 3}",
                "customer_name": "", "amount_minor": sign * draw(st.integers(1, 10**9)),
                "currency": draw(st.sampled_from(["EUR", "EUR", "EUR", "USD"])), "kind": kind,
                "booking_date": _DAY + dt.timedelta(days=draw(st.integers(0, 60))),
                "bank_reference": f"R{k}" if j == 0 else None, "payer": "P",
                "account": "FR76", "made_on": _DAY,
                "invoice_settled": invoice in settled,
            })  # fmt: skip
    return rows


@settings(max_examples=200, deadline=None)
@given(settlements())
def test_the_journal_balances_and_letters_per_invoice(rows: list[dict[str, Any]]) -> None:
    journal = build_journal(rows)
    by_entry: dict[int, int] = defaultdict(int)
    for x in journal.lines:
        assert x.debit_minor >= 0
        assert x.credit_minor >= 0
        assert not (x.debit_minor and x.credit_minor)
        by_entry[x.entry_number] += x.debit_minor - x.credit_minor
    assert all(v == 0 for v in by_entry.values())
    debit, credit = journal.totals()
    assert debit == credit
    assert journal.skipped_foreign == sum(r["currency"] != "EUR" for r in rows)
    received: dict[str, int] = defaultdict(int)
    for r in rows:
        if r["currency"] == "EUR" and r["invoice_id"] is not None and r["invoice_settled"]:
            received[r["invoice_id"]] += r["amount_minor"]
    lettered: dict[tuple[str, str], int] = defaultdict(int)
    for x in journal.lines:
        if x.lettering:
            lettered[(x.aux_number, x.lettering)] += x.credit_minor - x.debit_minor
    # one code per settled invoice and customer, adding up to what the invoice received
    assert sorted(lettered.values()) == sorted(received.values())
