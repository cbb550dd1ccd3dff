"""Baselines, written from the published behaviour of common tools (no code copied):

``exact_amount``
    What bank-feed rules and simple reconciliation screens do: an incoming payment matches an
    open invoice of exactly the same amount and currency whose issue date lies in a window
    before the booking date (default 180 days). Several fit: the one whose due date is nearest
    the booking date. Each invoice is used once, transactions in booking order.

``erp_rules``
    The usual ERP reconciliation rules: (1) reference tokens — runs of at least 4 digits in the
    remittance text, structured reference and end-to-end id, looked up among the digit runs of
    open invoice numbers and references (a token shared by several invoices, such as a year, is
    ignored); (2) otherwise the payer, found by IBAN (invoice master IBAN, then the learned
    ``customers`` frame when given), then by exact normalized name; an open invoice of that
    payer with the exact amount, else (3) the payment fills the payer's open invoices
    greedily, oldest first, the last one partly.

Both return a frame shaped like ``reconcile(...).allocations``: ``transaction_id, invoice_id,
amount`` (Decimal), ``status`` (always ``"auto"``), ``score`` (1.0) and ``kind``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pandas as pd

__all__ = ["ALLOCATION_COLUMNS", "erp_rules", "exact_amount"]

ALLOCATION_COLUMNS = ["transaction_id", "invoice_id", "amount", "status", "score", "kind"]
_DIGITS = re.compile(r"\d{4,}")
_LEGAL = re.compile(
    r"\b(SARL|SAS|SASU|SA|EURL|SNC|SCI|GMBH|AG|KG|BV|NV|SRL|SPRL|SL|SLU|SPA|LTD|PLC|LDA)\b"
)


def _cents(values: pd.Series) -> list[int]:
    return [int(Decimal(str(v)).scaleb(2)) for v in values]


def _days(values: pd.Series) -> list[int]:
    return [d.toordinal() for d in pd.to_datetime(values).dt.date]


def _frame(rows: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transaction_id": [r[0] for r in rows],
            "invoice_id": [r[1] for r in rows],
            "amount": [Decimal(r[2]).scaleb(-2) for r in rows],
            "status": "auto",
            "score": 1.0,
            "kind": [r[3] for r in rows],
        },
        columns=ALLOCATION_COLUMNS,
    )


def _norm_name(name: Any) -> str:
    if not isinstance(name, str):
        return ""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).upper().replace(".", "")
    s = _LEGAL.sub(" ", re.sub(r"[^A-Z0-9& ]", " ", s))
    return " ".join(s.split())


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def exact_amount(
    transactions: pd.DataFrame, invoices: pd.DataFrame, *, window_days: int = 180
) -> pd.DataFrame:
    """Baseline (a): exact amount within a date window (see the module docstring)."""
    tx_amt, inv_amt = _cents(transactions["amount"]), _cents(invoices["open_amount"])
    tx_day = _days(transactions["booking_date"])
    issue, due = _days(invoices["issue_date"]), _days(invoices["due_date"])
    by_amount: dict[tuple[str, int], list[int]] = defaultdict(list)
    inv_cur = invoices["currency"].tolist()
    for j in sorted(range(len(inv_amt)), key=lambda j: (issue[j], j)):
        if inv_amt[j] > 0:
            by_amount[(inv_cur[j], inv_amt[j])].append(j)
    issues = {k: [issue[j] for j in v] for k, v in by_amount.items()}
    used: set[int] = set()
    rows: list[tuple[str, str, int, str]] = []
    order = sorted(range(len(tx_amt)), key=lambda i: (tx_day[i], i))
    tids, curs = transactions["transaction_id"].tolist(), transactions["currency"].tolist()
    iids = invoices["invoice_id"].tolist()
    for i in order:
        key = (curs[i], tx_amt[i])
        if tx_amt[i] <= 0 or key not in by_amount:
            continue
        cands, days = by_amount[key], issues[key]
        lo = bisect.bisect_left(days, tx_day[i] - window_days)
        hi = bisect.bisect_right(days, tx_day[i])
        best, best_gap = -1, 0
        for j in cands[lo:hi]:  # issued inside the window, by issue date
            if j in used:
                continue
            gap = abs(due[j] - tx_day[i])
            if best < 0 or gap < best_gap:
                best, best_gap = j, gap
        if best >= 0:
            used.add(best)
            rows.append((tids[i], iids[best], tx_amt[i], "one_to_one"))
    return _frame(rows)


def _invoice_tokens(invoices: pd.DataFrame) -> dict[str, int]:
    seen: dict[str, int] = {}
    shared: set[str] = set()
    for j, (num, ref) in enumerate(zip(invoices["invoice_id"], invoices["reference"], strict=True)):
        for tok in {*_DIGITS.findall(_str(num)), *_DIGITS.findall(_str(ref).replace(" ", ""))}:
            if tok in seen and seen[tok] != j:
                shared.add(tok)
            seen[tok] = j
    return {t: j for t, j in seen.items() if t not in shared}


def erp_rules(
    transactions: pd.DataFrame,
    invoices: pd.DataFrame,
    *,
    customers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Baseline (b): ERP-style rules (see the module docstring)."""
    open_ = _cents(invoices["open_amount"])
    issue = _days(invoices["issue_date"])
    iids, cust = invoices["invoice_id"].tolist(), invoices["customer_id"].tolist()
    tokens = _invoice_tokens(invoices)
    by_cust: dict[str, list[int]] = defaultdict(list)
    for j in sorted(range(len(iids)), key=lambda j: (issue[j], j)):
        by_cust[cust[j]].append(j)
    by_iban: dict[str, str] = {}
    for ib, c in zip(invoices["customer_iban"], cust, strict=True):
        if isinstance(ib, str) and ib:
            by_iban.setdefault(ib, c)
    if customers is not None:
        for ib, c in zip(customers["iban"], customers["customer_id"], strict=True):
            by_iban.setdefault(ib, c)
    by_name: dict[str, str] = {}
    for name, c in zip(invoices["customer_name"], cust, strict=True):
        by_name.setdefault(_norm_name(name), c)
    tx_amt, tx_day = _cents(transactions["amount"]), _days(transactions["booking_date"])
    tids = transactions["transaction_id"].tolist()
    texts = [
        " ".join(_str(v) for v in vals)
        for vals in zip(
            transactions["remittance_info"],
            transactions["structured_reference"],
            transactions["end_to_end_id"],
            strict=True,
        )
    ]
    ibans, names = (
        transactions["counterparty_iban"].tolist(),
        transactions["counterparty_name"].tolist(),
    )
    rows: list[tuple[str, str, int, str]] = []

    def fill(i: int, cands: list[int], kind: str) -> None:
        left = tx_amt[i]
        for j in cands:
            if left <= 0:
                break
            take = min(left, open_[j])
            if take > 0:
                rows.append((tids[i], iids[j], take, kind))
                open_[j] -= take
                left -= take

    for i in sorted(range(len(tids)), key=lambda i: (tx_day[i], i)):
        if tx_amt[i] <= 0:
            continue
        refs = sorted({tokens[t] for t in _DIGITS.findall(texts[i].replace(" ", "")) if t in tokens}
                      | {tokens[t] for t in _DIGITS.findall(texts[i]) if t in tokens})  # fmt: skip
        refs = [j for j in refs if open_[j] > 0]
        if refs:
            fill(i, sorted(refs, key=lambda j: (issue[j], j)), "reference")
            continue
        c = by_iban.get(_str(ibans[i])) or by_name.get(_norm_name(names[i]))
        if c is None:
            continue
        items = [j for j in by_cust[c] if open_[j] > 0]
        exact = [j for j in items if open_[j] == tx_amt[i]]
        if exact:
            fill(i, exact[:1], "amount")
        elif items:
            fill(i, items, "greedy")
    return _frame(rows)
