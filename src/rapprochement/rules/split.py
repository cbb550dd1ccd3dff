"""Taking the lines that are not customer payments out of the matcher's input (the public
``reconcile(..., rules=...)`` path; the ledger does the same with its own tables).

Categorized lines, returns (strong signal, or linked to the payment they return) and the
payments they return leave the input; :data:`CATEGORIZED_COLUMNS` describe them in
``ReconciliationResult.categorized`` (category ``return`` and ``returned`` for the last two).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from rapprochement.matching.model_frames import models_to_frame, transactions_frame
from rapprochement.model import Statement
from rapprochement.rules.facts import facts_of_frame, facts_of_statements, own_ibans
from rapprochement.rules.links import LinkLine, link_returns
from rapprochement.rules.match import LineFacts, categorize
from rapprochement.rules.model import RuleSet
from rapprochement.rules.returns import reason_text, return_signal

__all__ = ["CATEGORIZED_COLUMNS", "empty_categorized", "split_lines"]

#: Columns of ``ReconciliationResult.categorized``.
CATEGORIZED_COLUMNS = (
    "transaction_id", "amount", "currency", "category", "account_code", "rule_id", "reason",
)  # fmt: skip


def empty_categorized() -> pd.DataFrame:
    """An empty ``categorized`` frame."""
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in CATEGORIZED_COLUMNS})


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _facts(transactions: Any) -> tuple[pd.DataFrame, list[LineFacts], set[str]]:
    if isinstance(transactions, pd.DataFrame):
        return transactions, _safe_facts(transactions), set()
    items = list(transactions) if isinstance(transactions, Sequence) else []
    if items and all(isinstance(x, Statement) for x in items):
        return transactions_frame(items), facts_of_statements(items), own_ibans(items)
    if not items:
        return pd.DataFrame(), [], set()
    frame, _ = models_to_frame(items)
    return frame, _safe_facts(frame), set()


def _safe_facts(frame: pd.DataFrame) -> list[LineFacts]:
    """Facts of the rows that have an id and a usable amount (the matcher's own validation
    reports the others)."""
    if "transaction_id" not in frame.columns or "amount" not in frame.columns:
        return []
    try:
        return facts_of_frame(frame)
    except (InvalidOperation, ValueError, TypeError):
        ok = []
        for i in range(len(frame)):
            try:
                ok += facts_of_frame(frame.iloc[i : i + 1])
            except (InvalidOperation, ValueError, TypeError):
                continue
        return ok


def split_lines(
    transactions: Any, rules: RuleSet, *, own_accounts: Sequence[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the transactions frame without the lines that are not customer payments, those lines
    with their category and reason)."""
    frame, facts, own = _facts(transactions)
    if frame.empty or not facts:
        return frame, empty_categorized()
    own |= set(own_accounts)
    dates = (
        dict(zip(frame["transaction_id"].astype(str), frame["booking_date"], strict=True))
        if "booking_date" in frame.columns
        else {}
    )
    rows: list[dict[str, Any]] = []
    signals = {f.transaction_id: s for f in facts if (s := return_signal(f)) is not None}
    link_lines = [_link_line(f, dates) for f in facts]
    returns = [x for x in link_lines if x.transaction_id in signals]
    links = {k.return_id: k for k in link_returns(returns, link_lines)}
    by_id = {f.transaction_id: f for f in facts}
    out: set[str] = set()
    for tid, sig in sorted(signals.items()):
        link = links.get(tid)
        if not sig.strong and link is None:
            continue
        why = sig.describe() + (f"; returns {link.original_id}: {link.evidence}" if link else "")
        rows.append(_row(by_id[tid], "return", None, "", why))
        out.add(tid)
        if link is not None:
            code = reason_text(sig.reason_code)
            rows.append(
                _row(by_id[link.original_id], "returned", None, "", f"returned by {tid} {code}")
            )
            out.add(link.original_id)
    rest = [f for f in facts if f.transaction_id not in out]
    for cat in categorize(rest, rules, own_ibans=own).values():
        f = by_id[cat.transaction_id]
        rows.append(_row(f, cat.category, cat.account_code, cat.rule_id, cat.reason))
        out.add(cat.transaction_id)
    keep = ~frame["transaction_id"].astype(str).isin(out)
    categorized = pd.DataFrame(rows, columns=list(CATEGORIZED_COLUMNS), dtype=object)
    categorized = categorized.sort_values("transaction_id", kind="stable").reset_index(drop=True)
    return frame[keep].reset_index(drop=True), categorized


def _link_line(f: LineFacts, dates: dict[str, Any]) -> LinkLine:
    return LinkLine(
        transaction_id=f.transaction_id,
        amount=f.amount,
        currency=f.currency,
        booking_date=_date(dates.get(f.transaction_id)),
        end_to_end_id=f.end_to_end_id,
        counterparty_iban=f.counterparty_iban,
        counterparty_name=f.counterparty_name,
        text=f.text,
    )


def _row(
    f: LineFacts, category: str, account: str | None, rule: str, reason: str
) -> dict[str, Any]:
    return {
        "transaction_id": f.transaction_id,
        "amount": Decimal(f.amount),
        "currency": f.currency,
        "category": category,
        "account_code": account,
        "rule_id": rule,
        "reason": reason,
    }
