"""A tiny, predictable stand-in for ``rapprochement.reconcile`` to test the store alone.

Rules, per payment (by id): a unique invoice reference in the remittance → ``auto`` (partial
when short, an overpayment row for the excess); else a payer IBAN known from ``customers`` →
``auto`` on that customer's single open invoice of the same amount; else a single open invoice
anywhere with the same amount → ``suggested``; else, when the remittance names several references
whose open amounts add up to the payment → one ``suggested`` group.
"""

from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pandas as pd

COLUMNS = [
    "transaction_id", "invoice_id", "amount", "currency", "status", "score", "kind", "group_id",
    "explanation",
]  # fmt: skip


def fake_matcher(
    transactions: pd.DataFrame,
    invoices: pd.DataFrame,
    *,
    customers: pd.DataFrame | None = None,
    config: Any = None,
    remittances: Any = None,
) -> SimpleNamespace:
    inv = invoices.to_dict("records")
    open_ = {r["invoice_id"]: Decimal(r["open_amount"]) for r in inv}
    known: dict[str, str] = {}
    if customers is not None:
        for r in customers.to_dict("records"):
            if r["iban"]:
                known[r["iban"]] = r["customer_id"]
    rows: list[dict[str, Any]] = []

    def add(tid: str, iid: str | None, amt: Decimal, status: str, kind: str, gid: Any = None):
        rows.append(
            {"transaction_id": tid, "invoice_id": iid, "amount": amt, "currency": "EUR",
             "status": status, "score": 0.99 if status == "auto" else 0.6, "kind": kind,
             "group_id": gid, "explanation": '[{"feature": "fake", "value": "x", "weight": 1}]'}
        )  # fmt: skip
        if iid is not None:
            open_[iid] -= amt

    for tx in sorted(transactions.to_dict("records"), key=lambda r: r["transaction_id"]):
        amt, tid, text = Decimal(tx["amount"]), tx["transaction_id"], tx["remittance_info"]
        if amt <= 0:
            continue
        refs = [
            r
            for r in inv
            if r["reference"] and r["reference"] in text and open_[r["invoice_id"]] > 0
        ]
        if len(refs) == 1:
            iid = refs[0]["invoice_id"]
            part = min(amt, open_[iid])
            add(tid, iid, part, "auto", "one_to_one" if part == amt else "overpayment")
            if part < amt:
                add(tid, None, amt - part, "auto", "overpayment")
            continue
        if len(refs) > 1:
            if sum(open_[r["invoice_id"]] for r in refs) == amt:
                for r in refs:
                    add(
                        tid,
                        r["invoice_id"],
                        open_[r["invoice_id"]],
                        "suggested",
                        "grouped",
                        f"g-{tid}",
                    )
            continue
        cid = known.get(tx["counterparty_iban"])
        if cid is not None:
            same = [r for r in inv if r["customer_id"] == cid and open_[r["invoice_id"]] == amt]
            if len(same) == 1:
                add(tid, same[0]["invoice_id"], amt, "auto", "one_to_one")
                continue
        same = [r for r in inv if open_[r["invoice_id"]] == amt]
        if len(same) == 1:
            add(tid, same[0]["invoice_id"], amt, "suggested", "one_to_one")
    return SimpleNamespace(
        allocations=pd.DataFrame(rows, columns=COLUMNS), version="fake-1", config=None
    )


def slow_matcher(transactions: pd.DataFrame, invoices: pd.DataFrame, **kw: Any) -> SimpleNamespace:
    """The fake matcher after a pause, so that two runs overlap in time."""
    time.sleep(1.5)
    return fake_matcher(transactions, invoices, **kw)


def greedy_matcher(
    transactions: pd.DataFrame, invoices: pd.DataFrame, **kw: Any
) -> SimpleNamespace:
    """A broken matcher that allocates every payment in full to the first invoice."""
    first = invoices["invoice_id"].iloc[0]
    rows = [
        {"transaction_id": r["transaction_id"], "invoice_id": first, "amount": Decimal(r["amount"]),
         "currency": "EUR", "status": "auto", "score": 1.0, "kind": "one_to_one",
         "group_id": None, "explanation": "[]"}
        for r in transactions.to_dict("records") if Decimal(r["amount"]) > 0
    ]  # fmt: skip
    return SimpleNamespace(
        allocations=pd.DataFrame(rows, columns=COLUMNS), version="bad", config=None
    )
