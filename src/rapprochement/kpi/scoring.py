"""Payer scoring from payment history: how late each customer pays, and whether it is getting worse.

For each paid invoice, its *days late* is the amount-weighted mean of ``payment_date -
due_date`` over the payments applied to it (negative = early). Per customer:

- ``avg_days_late``: mean over its invoices; ``share_late``: % of invoices with days late > 0;
- ``trend``: the mean of invoices last paid in the recent window (``window_days`` before
  ``as_of``) minus the mean of the window before it: ``worsening`` above
  ``rules.trend_days``, ``improving`` below its negative, else ``stable`` (``n/a`` when a window
  is empty);
- ``returned_payments``: payments of the customer that came back (returned direct debits,
  reversed transfers: ``returns``, e.g. ``Ledger.returns()``) in the two windows before
  ``as_of``. A returned payment is not a payment (its allocations are not in the history; a
  history row of a returned line, by ``transaction_id``, is dropped) and it is a negative
  signal of its own;
- ``segment`` (usable as a :class:`~rapprochement.dunning.PolicySet` key): ``risky`` with at
  least ``rules.risky_returns`` returned payments; ``new`` with fewer than
  ``rules.min_invoices`` invoices (``watch`` if a payment came back); ``risky`` when avg days
  late > ``rules.risky_days``; ``watch`` when > ``rules.watch_days``, share late >
  ``rules.watch_share`` or at least ``rules.watch_returns`` returned payments; else ``good``.

Only payments and returns dated on or before ``as_of`` count. Days are ``Decimal`` rounded to
0.1. A customer with returned payments and no paid invoice has a row (``invoices`` 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from rapprochement.kpi.aging import pct
from rapprochement.kpi.payments import PaymentRecord, read_payments, read_returns

__all__ = ["ScoringRules", "invoice_delays", "payer_scores"]

_TENTH = Decimal("0.1")
SCORE_COLUMNS = [
    "customer_id", "invoices", "avg_days_late", "share_late", "recent_avg_days_late",
    "previous_avg_days_late", "trend", "returned_payments", "segment",
]  # fmt: skip


class ScoringRules(BaseModel):
    """Thresholds that turn payment behaviour into a segment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_invoices: int = Field(3, description="Fewer paid invoices than this → segment 'new'.")
    watch_days: Decimal = Field(Decimal(7), description="Avg days late above → 'watch'.")
    watch_share: Decimal = Field(Decimal(50), description="% of invoices late above → 'watch'.")
    risky_days: Decimal = Field(Decimal(30), description="Avg days late above → 'risky'.")
    trend_days: Decimal = Field(Decimal(5), description="Change in days that makes a trend.")
    window_days: int = Field(180, description="Length of the recent and previous windows.")
    watch_returns: int = Field(1, description="Returned payments from which → 'watch'.")
    risky_returns: int = Field(2, description="Returned payments from which → 'risky'.")


def invoice_delays(
    payments: list[PaymentRecord], as_of: dt.date
) -> dict[str, tuple[str, Decimal, dt.date]]:
    """Invoice id → (customer id, amount-weighted days late, last payment date)."""
    by_invoice: dict[str, list[PaymentRecord]] = defaultdict(list)
    for p in payments:
        if p.payment_date <= as_of and p.amount > 0:
            by_invoice[p.invoice_id].append(p)
    out: dict[str, tuple[str, Decimal, dt.date]] = {}
    for inv, rows in by_invoice.items():
        total = sum((r.amount for r in rows), Decimal(0))
        weighted = sum((r.amount * (r.payment_date - r.due_date).days for r in rows), Decimal(0))
        out[inv] = (rows[0].customer_id, weighted / total, max(r.payment_date for r in rows))
    return out


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(_TENTH, ROUND_HALF_UP)


def _segment(
    r: ScoringRules, n: int, avg: Decimal | None, share: Decimal | None, returned: int
) -> str:
    if returned >= r.risky_returns:
        return "risky"
    if n < r.min_invoices or avg is None or share is None:
        return "watch" if returned >= r.watch_returns else "new"
    if avg > r.risky_days:
        return "risky"
    if avg > r.watch_days or share > r.watch_share or returned >= r.watch_returns:
        return "watch"
    return "good"


def _trend(r: ScoringRules, recent: Decimal | None, previous: Decimal | None) -> str:
    if recent is None or previous is None:
        return "n/a"
    if recent - previous > r.trend_days:
        return "worsening"
    if previous - recent > r.trend_days:
        return "improving"
    return "stable"


def payer_scores(
    payment_history: pd.DataFrame,
    as_of: dt.date,
    *,
    rules: ScoringRules | None = None,
    returns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per customer with paid invoices or returned payments, sorted by customer id
    (columns: see module).

    Args:
        payment_history: allocations with dates (``Ledger.payment_history()``).
        as_of: the scoring date.
        rules: thresholds (default :class:`ScoringRules`).
        returns: returned payments (``Ledger.returns()``, or ``customer_id, return_date``).
    """
    r = rules or ScoringRules()
    since = as_of - dt.timedelta(days=2 * r.window_days)
    back = read_returns(returns, since, as_of)
    payments = [p for p in read_payments(payment_history) if p.transaction_id not in back.lines]
    delays = invoice_delays(payments, as_of)
    per_customer: dict[str, list[tuple[Decimal, dt.date]]] = defaultdict(list)
    for cust, days, last in delays.values():
        per_customer[cust].append((days, last))
    recent_start = as_of - dt.timedelta(days=r.window_days)
    previous_start = recent_start - dt.timedelta(days=r.window_days)
    rows = []
    for cust in sorted(set(per_customer) | set(back.by_customer)):
        values = per_customer.get(cust, [])
        avg = _mean([d for d, _ in values])
        late = sum(1 for d, _ in values if d > 0)
        share = pct(Decimal(late), Decimal(len(values))) if values else None
        recent = _mean([d for d, day in values if day > recent_start])
        previous = _mean([d for d, day in values if previous_start < day <= recent_start])
        returned = back.by_customer.get(cust, 0)
        segment = _segment(r, len(values), avg, share, returned)
        trend = _trend(r, recent, previous)
        rows.append([cust, len(values), avg, share, recent, previous, trend, returned, segment])
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
