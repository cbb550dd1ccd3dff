"""Expected cash: when each open invoice is likely to be paid, from its payer's behaviour.

Expected date = due date + the customer's average days late (:func:`payer_scores`), rounded to
whole days; customers without history get the average of all customers, or 0 without any
history at all. An invoice already later than its payer's habit is expected on ``as_of`` and
flagged ``beyond_habit``. Invoices under a dispute active on ``as_of`` (``events``) are left
out: no cash is expected from them until the dispute is settled.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import pandas as pd

from rapprochement.dunning.frames import read_events
from rapprochement.kpi.aging import open_invoices
from rapprochement.kpi.payments import read_payments
from rapprochement.kpi.scoring import invoice_delays

__all__ = ["cash_forecast"]

DETAIL_COLUMNS = [
    "invoice_id", "customer_id", "due_date", "open_amount", "expected_days_late",
    "expected_date", "beyond_habit",
]  # fmt: skip


def _habits(payment_history: pd.DataFrame, as_of: dt.date) -> tuple[dict[str, int], int]:
    delays = invoice_delays(read_payments(payment_history), as_of)
    per: dict[str, list[Decimal]] = {}
    for cust, days, _ in delays.values():
        per.setdefault(cust, []).append(days)

    def whole(values: list[Decimal]) -> int:
        return int((sum(values, Decimal(0)) / len(values)).quantize(Decimal(1), ROUND_HALF_UP))

    overall = whole([d for v in per.values() for d in v]) if per else 0
    return {c: whole(v) for c, v in per.items()}, overall


def cash_forecast(
    open_items: pd.DataFrame,
    payment_history: pd.DataFrame,
    as_of: dt.date,
    *,
    by: Literal["week", "invoice"] = "week",
    currency: str | None = None,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Expected receipts from the open invoices at ``as_of``.

    Returns:
        ``by="week"``: ``week_start`` (Monday), ``invoices``, ``amount`` (Decimal), sorted;
        ``by="invoice"``: one row per invoice (columns ``DETAIL_COLUMNS``), by expected date.
    """
    habits, overall = _habits(payment_history, as_of)
    disputed = {
        e.invoice_id for e in read_events(events) if e.kind == "dispute" and e.active_on(as_of)
    }
    rows = []
    for item in open_invoices(open_items, as_of, currency):
        if item.invoice_id in disputed:
            continue
        late = habits.get(item.customer_id, overall)
        expected = item.due_date + dt.timedelta(days=late)
        beyond = expected < as_of
        rows.append([item.invoice_id, item.customer_id, item.due_date, item.open_amount, late,
                     max(expected, as_of), beyond])  # fmt: skip
    rows.sort(key=lambda r: (r[5], r[0]))
    detail = pd.DataFrame(rows, columns=DETAIL_COLUMNS)
    if by == "invoice":
        return detail
    weeks: dict[dt.date, tuple[int, Decimal]] = {}
    for r in rows:
        day = r[5]
        assert isinstance(day, dt.date)
        assert isinstance(r[3], Decimal)
        start = day - dt.timedelta(days=day.weekday())
        n, amount = weeks.get(start, (0, Decimal(0)))
        weeks[start] = (n + 1, amount + r[3])
    return pd.DataFrame(
        [[w, n, a] for w, (n, a) in sorted(weeks.items())],
        columns=["week_start", "invoices", "amount"],
    )
