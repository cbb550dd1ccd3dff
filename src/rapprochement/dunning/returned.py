"""Returned payments (direct debits that came back unpaid, reversed transfers) as dunning sees
them: which invoices they reopened, when, and why.

The frame is :meth:`rapprochement.store.Ledger.returns` (``booking_date, reason_code,
invoices`` with the list of invoices each return reopened), or any frame with ``invoice_id,
return_date, reason_code``. Returns that reopened no invoice are ignored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rapprochement.dunning.frames import require_columns, to_date

__all__ = ["ReturnedPayment", "read_returns"]


@dataclass(frozen=True, slots=True)
class ReturnedPayment:
    """The latest return of a payment that had settled an invoice."""

    invoice_id: str
    returned_on: dt.date
    reason_code: str


def _invoices(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if value is None:
        return []
    return [str(v) for v in value]


def read_returns(
    df: pd.DataFrame | None, as_of: dt.date, *, frame: str = "returns"
) -> dict[str, ReturnedPayment]:
    """Invoice id → its latest return on or before ``as_of``.

    Raises:
        ColumnError: no ``invoices`` / ``invoice_id`` column, or no date column.
        DateError: a date that is not one.
    """
    out: dict[str, ReturnedPayment] = {}
    if df is None or len(df) == 0:
        return out
    ids = "invoices" if "invoices" in df.columns else "invoice_id"
    day_col = "booking_date" if "booking_date" in df.columns else "return_date"
    require_columns(df, (ids, day_col), frame)
    for rec in df.to_dict("records"):
        invoices = _invoices(rec[ids])
        if not invoices:
            continue
        row = f"return {rec.get('transaction_id') or invoices[0]}"
        day = to_date(rec[day_col], frame=frame, column=day_col, row=row)
        if day is None or day > as_of:
            continue
        code = rec.get("reason_code")
        reason = "" if code is None or pd.isna(code) else str(code)
        for inv in invoices:
            seen = out.get(inv)
            if seen is None or seen.returned_on <= day:
                out[inv] = ReturnedPayment(inv, day, reason)
    return out
