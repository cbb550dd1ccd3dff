"""Aged balance (balance âgée) in the buckets of the French management report (D441-6).

The D441-6 table has two parts: (A) the invoices by lateness bucket, and (B) the invoices left
out of (A) because they are disputed (*créances litigieuses*). :func:`aged_balance` gives (B)
as its ``excluded_disputed`` row when ``events`` says which invoices are under a dispute.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from rapprochement.dunning.frames import OpenItem, read_events, read_open_items
from rapprochement.errors import AmountError, CurrencyError

__all__ = ["BUCKETS", "aged_balance", "bucket_of", "open_invoices"]

#: Bucket labels, in order: not yet due, then days past the due date.
BUCKETS: tuple[str, ...] = ("not_due", "1-30", "31-60", "61-90", "91+")
_PCT = Decimal("0.01")


def bucket_of(days_late: int) -> str:
    """The bucket of an invoice ``days_late`` days past due (≤ 0 → ``not_due``)."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "1-30"
    if days_late <= 60:
        return "31-60"
    if days_late <= 90:
        return "61-90"
    return "91+"


def open_invoices(
    open_items: pd.DataFrame, as_of: dt.date, currency: str | None = None
) -> list[OpenItem]:
    """Open invoices (not credit notes) issued on or before ``as_of``, in one currency.

    Raises:
        CurrencyError: several currencies and ``currency`` not given.
    """
    items = [
        i for i in read_open_items(open_items)
        if i.is_open and (i.issue_date is None or i.issue_date <= as_of)
    ]  # fmt: skip
    currencies = sorted({i.currency for i in items})
    if currency is None and len(currencies) > 1:
        raise CurrencyError(
            f"open items are in several currencies: {', '.join(currencies)}",
            file="open_items",
            hint="pass currency=... to compute the figure for one of them",
        )
    return [i for i in items if currency is None or i.currency == currency]


def pct(part: Decimal, whole: Decimal | None) -> Decimal | None:
    """``part / whole × 100`` rounded half-up to 0.01, or None without a positive whole."""
    if whole is None or whole <= 0:
        return None
    return (part * 100 / whole).quantize(_PCT, ROUND_HALF_UP)


def aged_balance(
    open_items: pd.DataFrame,
    as_of: dt.date,
    turnover: Decimal | None = None,
    *,
    currency: str | None = None,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Open invoices by lateness bucket at ``as_of``: count, amount and % of turnover.

    Args:
        open_items: open-items frame (see :func:`rapprochement.dunning.frames.read_open_items`).
        as_of: the date lateness is measured at (days late = as_of - due date).
        turnover: turnover of the financial year (D441-6 expresses buckets as % of it);
            without it the ``pct_turnover`` column is empty.
        currency: the currency to report when the items mix several.
        events: disputes and promises (``invoice_id, kind, start, end``): an invoice under a
            dispute active on ``as_of`` is left out of the buckets and counted in
            ``excluded_disputed`` (part B of the D441-6 table).

    Returns:
        Index ``not_due, 1-30, 31-60, 61-90, 91+, overdue, total, excluded_disputed``; columns
        ``count`` (int), ``amount`` (Decimal open amount) and ``pct_turnover`` (Decimal percent
        or None). ``total`` is part A (the buckets); ``excluded_disputed`` is not in it. Credit
        notes are not invoices and are left out.
    """
    if turnover is not None and not isinstance(turnover, Decimal):
        raise AmountError(f"turnover must be a Decimal, got {turnover!r}", file="turnover")
    counts = dict.fromkeys(BUCKETS, 0)
    amounts = dict.fromkeys(BUCKETS, Decimal("0.00"))
    disputed = {
        e.invoice_id for e in read_events(events) if e.kind == "dispute" and e.active_on(as_of)
    }
    excluded = (0, Decimal("0.00"))
    for item in open_invoices(open_items, as_of, currency):
        if item.invoice_id in disputed:
            excluded = (excluded[0] + 1, excluded[1] + item.open_amount)
            continue
        b = bucket_of((as_of - item.due_date).days)
        counts[b] += 1
        amounts[b] += item.open_amount
    overdue = BUCKETS[1:]
    rows = {b: (counts[b], amounts[b]) for b in BUCKETS}
    rows["overdue"] = (
        sum(counts[b] for b in overdue),
        sum((amounts[b] for b in overdue), Decimal("0.00")),
    )
    rows["total"] = (sum(counts.values()), sum(amounts.values(), Decimal("0.00")))
    rows["excluded_disputed"] = excluded
    frame = pd.DataFrame(
        {
            "count": [c for c, _ in rows.values()],
            "amount": [a for _, a in rows.values()],
            "pct_turnover": [pct(a, turnover) for _, a in rows.values()],
        },
        index=pd.Index(list(rows), name="bucket"),
    )
    return frame
