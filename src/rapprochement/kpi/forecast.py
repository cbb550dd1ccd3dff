"""Expected cash: when each open invoice is likely to be paid, from its payer's behaviour.

Expected date = due date + the customer's average days late (:func:`payer_scores`), rounded to
whole days; customers without history get the delays of all customers, or 0 without any
history at all.

An invoice already later than its payer's habit (flagged ``beyond_habit``) is not piled into
the current week: it is spread by what that payer has shown. Already ``d`` days late, it is
expected after the mean of the payer's delays longer than ``d`` (the invoices it did pay that
late); later than every delay the payer has shown, one more of its usual delays from
``as_of``, and never sooner than a week (:data:`MIN_WAIT_DAYS`). An invoice under a promise to
pay active on ``as_of`` is expected on the promised date. Invoices under a dispute active on
``as_of`` (``events``) are left out: no cash is expected from them until it is settled.
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

__all__ = ["MIN_WAIT_DAYS", "cash_forecast"]

#: Days an invoice beyond all its payer's past delays waits at least (a reminder cycle).
MIN_WAIT_DAYS = 7

DETAIL_COLUMNS = [
    "invoice_id", "customer_id", "due_date", "open_amount", "expected_days_late",
    "expected_date", "beyond_habit",
]  # fmt: skip


def _whole(values: list[Decimal]) -> int:
    return int((sum(values, Decimal(0)) / len(values)).quantize(Decimal(1), ROUND_HALF_UP))


def _delays(payment_history: pd.DataFrame, as_of: dt.date) -> dict[str, list[Decimal]]:
    """Customer → days late of each invoice it paid; ``""`` → every customer's."""
    per: dict[str, list[Decimal]] = {"": []}
    for cust, days, _ in invoice_delays(read_payments(payment_history), as_of).values():
        per.setdefault(cust, []).append(days)
        per[""].append(days)
    return per


def _expected(due: dt.date, delays: list[Decimal], as_of: dt.date) -> tuple[int, dt.date, bool]:
    """(expected days late, expected date, beyond habit) by the rule of the module doc."""
    habit = _whole(delays) if delays else 0
    expected = due + dt.timedelta(days=habit)
    if expected >= as_of:
        return habit, expected, False
    already = (as_of - due).days
    longer = [d for d in delays if d > already]
    wait = _whole(longer) - already if longer else max(habit, 0)
    return habit, as_of + dt.timedelta(days=max(wait, MIN_WAIT_DAYS if not longer else 1)), True


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
    delays = _delays(payment_history, as_of)
    active = [e for e in read_events(events) if e.active_on(as_of)]
    disputed = {e.invoice_id for e in active if e.kind == "dispute"}
    promised = {e.invoice_id: e.end for e in active if e.kind == "promise" and e.end}
    rows = []
    for item in open_invoices(open_items, as_of, currency):
        if item.invoice_id in disputed:
            continue
        late, expected, beyond = _expected(
            item.due_date, delays.get(item.customer_id, delays[""]), as_of
        )
        if item.invoice_id in promised:
            expected = max(promised[item.invoice_id], as_of)
        rows.append([item.invoice_id, item.customer_id, item.due_date, item.open_amount, late,
                     expected, beyond])  # fmt: skip
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
