"""Read-only views of categorized lines and the counts ``status`` adds: lines per category,
returns, and a match rate over customer payments only.

The match rate counts *incoming customer-payment lines*: booked credits that no rule
categorized and that are neither a return nor a returned payment. Outgoing lines, categorized
lines and returns are counted apart (a book whose customer payments are all matched shows
100 %, whatever its bank fees and payroll).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from rapprochement.money import from_minor
from rapprochement.store import schema as t
from rapprochement.store.lines import excluded_lines

__all__ = ["categories_frame", "line_status", "undone_frame"]


def categories_frame(conn: Connection) -> pd.DataFrame:
    """Categorized lines: ``transaction_id, booking_date, amount, currency, counterparty_name,
    remittance_info, category, account_code, rule_id, rule_set_version, reason``."""
    c, x = t.line_categories.c, t.transactions.c
    q = (
        select(
            c.transaction_id, x.booking_date, x.amount_minor, x.currency, x.counterparty_name,
            x.remittance_info, c.category, c.account_code, c.rule_id, c.rule_set_version, c.reason,
        )
        .select_from(t.line_categories.join(t.transactions, x.transaction_id == c.transaction_id))
        .order_by(x.booking_date, c.transaction_id)
    )  # fmt: skip
    cols = [
        "transaction_id", "booking_date", "amount", "currency", "counterparty_name",
        "remittance_info", "category", "account_code", "rule_id", "rule_set_version", "reason",
    ]  # fmt: skip
    rows = []
    for r in conn.execute(q):
        d = dict(zip(cols, r, strict=True))
        d["amount"] = from_minor(r.amount_minor, r.currency)
        rows.append(d)
    return pd.DataFrame(rows, columns=cols, dtype=object)


def undone_frame(conn: Connection) -> pd.DataFrame:
    """The audit trail of undone and return-reversed allocations (who made each, who undid it,
    when and why)."""
    u = t.undone_allocations.c
    cols = [
        "allocation_id", "transaction_id", "invoice_id", "amount", "currency", "kind", "source",
        "made_by", "created_at", "undo_kind", "undone_by", "undone_at", "reason", "run_id",
    ]  # fmt: skip
    rows = []
    for r in conn.execute(select(t.undone_allocations).order_by(u.id)):
        d = {k: getattr(r, k) for k in cols if k != "amount"}
        d["amount"] = from_minor(r.amount_minor, r.currency)
        rows.append(d)
    return pd.DataFrame(rows, columns=cols, dtype=object)


def line_status(conn: Connection) -> dict[str, Any]:
    """Per-category totals, returns, and the customer-payment match rate (see module doc)."""
    x, c, r = t.transactions.c, t.line_categories.c, t.line_returns.c
    cats: dict[str, dict[str, Any]] = {}
    amounts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    q = (
        select(c.category, x.currency, func.count(), func.sum(x.amount_minor))
        .select_from(t.line_categories.join(t.transactions, x.transaction_id == c.transaction_id))
        .group_by(c.category, x.currency)
    )
    counts: dict[str, int] = defaultdict(int)
    for cat, ccy, n, total in conn.execute(q):
        counts[cat] += int(n)
        amounts[cat][ccy] += int(total or 0)
    for cat in sorted(counts):
        cats[cat] = {
            "lines": counts[cat],
            "amount": {k: str(from_minor(v, k)) for k, v in sorted(amounts[cat].items())},
        }
    booked = x.status == "booked"
    apart = x.transaction_id.not_in(excluded_lines())
    incoming = int(
        conn.execute(select(func.count()).where(booked, apart, x.amount_minor > 0)).scalar() or 0
    )
    matched = int(
        conn.execute(
            select(func.count()).where(
                booked, apart, x.amount_minor > 0, x.allocated_minor == x.amount_minor
            )
        ).scalar()
        or 0
    )
    outgoing = int(
        conn.execute(select(func.count()).where(booked, apart, x.amount_minor < 0)).scalar() or 0
    )
    n_returns = int(conn.execute(select(func.count()).select_from(t.line_returns)).scalar() or 0)
    linked = int(conn.execute(select(func.count()).where(r.original_id.is_not(None))).scalar() or 0)
    return {
        "customer_payments": incoming,
        "customer_payments_matched": matched,
        "match_rate": round(matched / incoming, 4) if incoming else 0.0,
        "outgoing_lines": outgoing,
        "categorized_lines": sum(counts.values()),
        "categories": cats,
        "returns": {"lines": n_returns, "linked": linked, "unlinked": n_returns - linked},
    }
