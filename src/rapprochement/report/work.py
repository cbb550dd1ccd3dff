"""The report's work sections: unmatched receipts with the reason, open items per customer,
the bank lines that are not customer payments (credits and debits apart), the reason of each
suggestion."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pandas as pd

from rapprochement.i18n import Language
from rapprochement.report.labels import label
from rapprochement.store import Ledger

__all__ = ["categories", "customers", "suggestion_reason", "unmatched"]


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in df.to_dict("records")]


def suggestion_reason(explanation: Any) -> str:
    """The evidence for and against of a suggestion (``iban=known; reference=none -3.1``)."""
    from rapprochement.cli.review import explain_short

    text = explanation if isinstance(explanation, str) else json.dumps(explanation or [])
    return explain_short(text)


def unmatched(ledger: Ledger, as_of: dt.date, lang: Language) -> list[dict[str, Any]]:
    """Incoming lines nobody matched, oldest first, each with its reason in words."""
    out = []
    for r in _records(ledger.unmatched(as_of)):
        score = "" if r["score"] is None else f"{r['score']:.2f}"
        why = label(r["reason"], lang, score=score, threshold=f"{r['threshold']:.2f}")
        evidence = suggestion_reason(r["explanation"]) if r["explanation"] else ""
        out.append(r | {"why": f"{why}: {evidence}" if evidence else why})
    return out


def customers(items: pd.DataFrame, as_of: dt.date) -> list[dict[str, Any]]:
    """Open items summed per customer: invoices, open and overdue amounts, oldest days late;
    largest open amount first."""
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for r in _records(items):
        key = (str(r["customer_id"]), str(r["currency"]))
        row = acc.setdefault(key, {"customer_id": key[0], "name": r["customer_name"],
                                   "currency": key[1], "invoices": 0, "open": Decimal(0),
                                   "overdue": Decimal(0), "oldest": 0})  # fmt: skip
        row["invoices"] += 1
        row["open"] += r["open_amount"]
        late = (as_of - (r["due_date"] or r["issue_date"])).days
        if late > 0 and r["open_amount"] > 0:
            row["overdue"] += r["open_amount"]
            row["oldest"] = max(row["oldest"], late)
    return sorted(acc.values(), key=lambda r: (-r["open"], r["customer_id"]))


def categories(ledger: Ledger) -> list[dict[str, Any]]:
    """Lines rules categorized, per category: count, credits and debits (kept apart)."""
    df = ledger.line_categories()
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    sums: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for r in _records(df):
        key = (str(r["category"]), str(r["currency"]))
        acc.setdefault(key, {"category": key[0], "currency": key[1], "lines": 0})
        acc[key]["lines"] += 1
        amount = Decimal(str(r["amount"]))
        sums[key][0 if amount > 0 else 1] += amount
    return [acc[k] | {"credits": sums[k][0], "debits": -sums[k][1]} for k in sorted(acc)]
