"""DSO (délai moyen de recouvrement): standard, count-back, and best possible.

- **standard**: receivables ÷ revenue of the last ``months`` months × their number of days.
- **count-back**: start from the month of ``as_of`` and walk back: a month whose revenue is
  fully covered by the receivables left counts all its days; the month where they run out
  counts the covered fraction of its days.
- **best possible**: the standard formula on the receivables that are not yet due.

Receivables are the open amounts at ``as_of`` of invoices issued on or before it (not yet due
included). Revenue is given per calendar month; the month of ``as_of`` is the last month of the
window, so compute DSO at month ends. Results are ``Decimal`` days rounded half-up to 0.1.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import pandas as pd

from rapprochement.dunning.frames import to_date, to_decimal
from rapprochement.errors import AmountError, ColumnError, DateError, InputError
from rapprochement.kpi.aging import open_invoices

__all__ = ["best_possible_dso", "dso", "dso_history", "read_revenue", "revenue_from_invoices"]

_TENTH = Decimal("0.1")


def _month_key(value: object) -> tuple[int, int]:
    if isinstance(value, pd.Period):
        return value.year, value.month
    if isinstance(value, dt.date | pd.Timestamp):
        return value.year, value.month
    text = str(value).strip()
    try:
        year, month = int(text[:4]), int(text[5:7])
        dt.date(year, month, 1)
    except ValueError:
        raise DateError(
            f"{value!r} is not a month", file="revenue_by_month", hint="write months as 2026-03"
        ) from None
    return year, month


def read_revenue(
    revenue_by_month: pd.DataFrame | pd.Series, currency: str = "EUR"
) -> dict[tuple[int, int], Decimal]:
    """Revenue per (year, month) from a Series indexed by month or a ``month, revenue`` frame.

    Months may be ``"2026-03"``, dates or ``pandas.Period``; revenue is Decimal, decimal text or
    integer minor units of ``currency``.
    """
    if isinstance(revenue_by_month, pd.DataFrame):
        missing = [c for c in ("month", "revenue") if c not in revenue_by_month.columns]
        if missing:
            raise ColumnError(f"missing column(s) {', '.join(missing)}", file="revenue_by_month")
        pairs = list(zip(revenue_by_month["month"], revenue_by_month["revenue"], strict=True))
    else:
        pairs = list(revenue_by_month.items())
    out: dict[tuple[int, int], Decimal] = {}
    for month, value in pairs:
        key = _month_key(month)
        label = f"{key[0]:04d}-{key[1]:02d}"
        amount = to_decimal(value, currency, frame="revenue_by_month", column="revenue", row=label)
        if amount is None:
            raise AmountError("revenue is missing", file="revenue_by_month", location=label)
        out[key] = out.get(key, Decimal(0)) + amount
    return out


def _months_back(as_of: dt.date, n: int) -> list[tuple[int, int]]:
    y, m = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out


def dso_history(
    revenue_by_month: pd.DataFrame | pd.Series,
    as_of: dt.date,
    months: int = 3,
    *,
    currency: str = "EUR",
) -> tuple[int, str | None]:
    """(months of revenue usable, caveat) for a DSO over ``months`` months ending at ``as_of``.

    When the revenue history starts inside the period (a ledger that began last month), the
    DSO can only use the months it has: their number is returned with a caveat saying so, to
    show beside the figure. With the full period: ``(months, None)``.
    """
    revenue = read_revenue(revenue_by_month, currency)
    window = _months_back(as_of, months)
    have = 0
    for key in window:
        if key not in revenue:
            break
        have += 1
    if have == months:
        return months, None
    first = min(revenue) if revenue else None
    since = f"starts {first[0]:04d}-{first[1]:02d}" if first else "is empty"
    return have, (
        f"revenue history {since}: DSO over {have} month(s), not {months}; it is not "
        "comparable with a full period (the first month may be partial too)"
    )


def _days(key: tuple[int, int]) -> int:
    return calendar.monthrange(*key)[1]


def _standard(receivables: Decimal, revenue: dict[tuple[int, int], Decimal], as_of: dt.date,
              months: int) -> Decimal:  # fmt: skip
    window = _months_back(as_of, months)
    missing = [f"{y:04d}-{m:02d}" for y, m in window if (y, m) not in revenue]
    if missing:
        raise InputError(
            f"revenue missing for {', '.join(missing)}",
            file="revenue_by_month",
            hint=f"standard DSO needs the {months} months ending with the month of {as_of}",
        )
    total = sum((revenue[k] for k in window), Decimal(0))
    if total <= 0:
        raise InputError("no revenue in the DSO window", file="revenue_by_month")
    days = sum(_days(k) for k in window)
    return (receivables / total * days).quantize(_TENTH, ROUND_HALF_UP)


def _countback(receivables: Decimal, revenue: dict[tuple[int, int], Decimal],
               as_of: dt.date) -> Decimal:  # fmt: skip
    if receivables <= 0:
        return Decimal("0.0")
    remaining, days = receivables, Decimal(0)
    first = min(revenue) if revenue else (as_of.year, as_of.month)
    key = (as_of.year, as_of.month)
    while key >= first:
        if key not in revenue:
            raise InputError(
                f"revenue missing for {key[0]:04d}-{key[1]:02d}",
                file="revenue_by_month",
                hint="count-back DSO walks month by month; give every month (0 if none)",
            )
        rev = revenue[key]
        if remaining > rev:
            remaining -= rev
            days += _days(key)
        else:
            days += remaining / rev * _days(key)
            return days.quantize(_TENTH, ROUND_HALF_UP)
        key = (key[0] - 1, 12) if key[1] == 1 else (key[0], key[1] - 1)
    raise InputError(
        f"receivables ({receivables}) exceed all the revenue given",
        file="revenue_by_month",
        hint="give more months of revenue history",
    )


def dso(
    open_items: pd.DataFrame,
    revenue_by_month: pd.DataFrame | pd.Series,
    as_of: dt.date,
    method: Literal["standard", "countback"] = "standard",
    *,
    months: int = 3,
    currency: str | None = None,
) -> Decimal:
    """Days sales outstanding at ``as_of`` (see the module docstring for the methods).

    Raises:
        InputError: revenue missing for a month needed, no revenue, or too little history.
    """
    items = open_invoices(open_items, as_of, currency)
    ccy = currency or (items[0].currency if items else "EUR")
    revenue = read_revenue(revenue_by_month, ccy)
    receivables = sum((i.open_amount for i in items), Decimal(0))
    if method == "standard":
        return _standard(receivables, revenue, as_of, months)
    if method == "countback":
        return _countback(receivables, revenue, as_of)
    raise InputError(f"unknown DSO method {method!r}", hint="use 'standard' or 'countback'")


def best_possible_dso(
    open_items: pd.DataFrame,
    revenue_by_month: pd.DataFrame | pd.Series,
    as_of: dt.date,
    *,
    months: int = 3,
    currency: str | None = None,
) -> Decimal:
    """DSO if every customer paid on time: not-yet-due receivables ÷ revenue × days."""
    items = open_invoices(open_items, as_of, currency)
    ccy = currency or (items[0].currency if items else "EUR")
    revenue = read_revenue(revenue_by_month, ccy)
    current = sum((i.open_amount for i in items if i.due_date >= as_of), Decimal(0))
    return _standard(current, revenue, as_of, months)


def revenue_from_invoices(
    open_items: pd.DataFrame,
    payment_history: pd.DataFrame | None = None,
    *,
    through: dt.date | None = None,
    currency: str | None = None,
) -> pd.Series:
    """Revenue by issue month from the invoices the ledger knows (open and paid).

    Invoices are taken once each, from ``open_items`` (``amount``, ``issue_date``) and from
    ``payment_history`` (``invoice_amount``, ``issue_date``) for those no longer open. Credit
    notes reduce their month's revenue. Months without invoices between the first one and
    ``through`` (default: the last invoice month) count 0. Returns a Series of Decimal indexed by
    ``"YYYY-MM"``. With ``currency``, rows in another currency (per their ``currency`` column)
    are left out.
    """
    seen: dict[str, tuple[str, Decimal]] = {}
    frames = [(open_items, "amount", "open_items")]
    if payment_history is not None and "invoice_amount" in payment_history.columns:
        frames.append((payment_history, "invoice_amount", "payment_history"))
    for frame, col, name in frames:
        if "issue_date" not in frame.columns:
            raise ColumnError("missing column issue_date", file=name)
        for rec in frame.to_dict("records"):
            inv = str(rec["invoice_id"])
            if inv in seen:
                continue
            row = f"invoice {inv}"
            ccy = str(rec.get("currency") or currency or "EUR")
            if currency is not None and ccy != currency:
                continue
            amount = to_decimal(rec[col], ccy, frame=name, column=col, row=row)
            day = to_date(rec["issue_date"], frame=name, column="issue_date", row=row)
            if amount is None or day is None:
                continue
            seen[inv] = (f"{day.year:04d}-{day.month:02d}", amount)
    totals: dict[str, Decimal] = {}
    for month, amount in seen.values():
        totals[month] = totals.get(month, Decimal(0)) + amount
    if totals:
        first, last = min(totals), max(totals)
        if through is not None:
            last = max(last, f"{through.year:04d}-{through.month:02d}")
        y, m = int(first[:4]), int(first[5:])
        while f"{y:04d}-{m:02d}" <= last:
            totals.setdefault(f"{y:04d}-{m:02d}", Decimal(0))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return pd.Series({k: totals[k] for k in sorted(totals)}, dtype=object)
