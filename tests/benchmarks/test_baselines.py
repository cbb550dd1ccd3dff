"""Baselines on tiny hand-made books, and their output shape on a generated one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
from benchmarks.generator import generate

from benchmarks import baselines, metrics

D = Decimal

DAY = dt.date(2026, 3, 2)


def tx(rows: list[tuple[str, str, str, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transaction_id": [r[0] for r in rows],
            "booking_date": DAY,
            "amount": [D(r[1]) for r in rows],
            "currency": "EUR",
            "counterparty_name": [r[2] for r in rows],
            "counterparty_iban": pd.Series([r[3] for r in rows], dtype=object),
            "remittance_info": [r[4] for r in rows],
            "structured_reference": pd.Series([None] * len(rows), dtype=object),
            "end_to_end_id": pd.Series([None] * len(rows), dtype=object),
        }
    )


INV = pd.DataFrame(
    {
        "invoice_id": ["FA-2026-000101", "FA-2026-000102", "FA-2026-000103", "INV0000200"],
        "customer_id": ["C1", "C1", "C1", "C2"],
        "customer_name": ["Dupont & Fils SARL"] * 3 + ["Müller GmbH"],
        "amount": [D("100.00"), D("200.00"), D("300.00"), D("100.00")],
        "currency": "EUR",
        "issue_date": [
            dt.date(2026, 1, 1),
            dt.date(2026, 1, 15),
            dt.date(2026, 2, 1),
            dt.date(2026, 2, 10),
        ],
        "due_date": [
            dt.date(2026, 1, 31),
            dt.date(2026, 2, 14),
            dt.date(2026, 3, 3),
            dt.date(2026, 3, 12),
        ],
        "open_amount": [D("100.00"), D("200.00"), D("300.00"), D("100.00")],
        "reference": pd.Series([None] * 4, dtype=object),
        "customer_iban": pd.Series([None, None, None, "DE89370400440532013000"], dtype=object),
    }
)


def test_exact_amount_prefers_nearest_due_date_and_uses_each_invoice_once() -> None:
    t = tx(
        [
            ("T1", "100.00", "X", None, ""),
            ("T2", "100.00", "Y", None, ""),
            ("T3", "100.00", "Z", None, ""),
        ]
    )
    out = baselines.exact_amount(t, INV)
    assert list(out.columns) == baselines.ALLOCATION_COLUMNS
    assert dict(zip(out["transaction_id"], out["invoice_id"], strict=True)) == {
        "T1": "INV0000200",
        "T2": "FA-2026-000101",
    }
    assert (out["status"] == "auto").all()


def test_erp_reference_then_iban_then_greedy_oldest_first() -> None:
    t = tx(
        [
            ("T1", "300.00", "SOMEONE", None, "PAIEMENT FACT 000103"),  # reference token
            ("T2", "100.00", "MULLER", "DE89370400440532013000", "ZAHLUNG"),  # IBAN → exact amount
            ("T3", "250.00", "DUPONT & FILS", None, "VIREMENT"),  # name → greedy oldest first
        ]
    )
    out = baselines.erp_rules(t, INV)
    got = {(r.transaction_id, r.invoice_id): r.amount for r in out.itertuples()}
    assert got == {
        ("T1", "FA-2026-000103"): D("300.00"),
        ("T2", "INV0000200"): D("100.00"),
        ("T3", "FA-2026-000101"): D("100.00"),
        ("T3", "FA-2026-000102"): D("150.00"),
    }


def test_baselines_on_a_generated_book() -> None:
    ds = generate(1001, 600, "easy")
    for out in (
        baselines.exact_amount(ds.transactions, ds.invoices),
        baselines.erp_rules(ds.transactions, ds.invoices, customers=ds.customers),
    ):
        m = metrics.evaluate(out, ds.truth)
        assert 0.3 < m["recall"] <= 1.0
        assert m["precision"] > 0.8
        sums = out.groupby("transaction_id")["amount"].sum()
        amounts = ds.transactions.set_index("transaction_id")["amount"]
        assert (sums <= amounts.loc[sums.index]).all()
