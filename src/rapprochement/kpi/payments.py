"""Payment history (allocations with dates) and returned payments, read into typed records for
payer scoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from rapprochement.dunning.frames import require_columns, to_date, to_decimal
from rapprochement.errors import AmountError

__all__ = ["PaymentRecord", "Returns", "read_payments", "read_returns"]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """An amount of one payment applied to one invoice (an allocation, lettrage)."""

    invoice_id: str
    customer_id: str
    amount: Decimal
    payment_date: dt.date
    due_date: dt.date
    invoice_amount: Decimal | None
    transaction_id: str = ""


def read_payments(
    df: pd.DataFrame, *, currency: str = "EUR", frame: str = "payment_history"
) -> list[PaymentRecord]:
    """Allocations with dates: ``invoice_id, customer_id, amount, payment_date, due_date``.

    Integer amounts are minor units of the row's ``currency`` column, else of ``currency``.
    """
    if len(df) == 0:
        return []
    require_columns(df, ("invoice_id", "customer_id", "amount", "payment_date", "due_date"), frame)
    out: list[PaymentRecord] = []
    for rec in df.to_dict("records"):
        inv = str(rec["invoice_id"])
        row = f"invoice {inv}"
        ccy = str(rec.get("currency") or currency)
        amount = to_decimal(rec["amount"], ccy, frame=frame, column="amount", row=row)
        paid = to_date(rec["payment_date"], frame=frame, column="payment_date", row=row)
        due = to_date(rec["due_date"], frame=frame, column="due_date", row=row)
        if amount is None or paid is None or due is None:
            raise AmountError(
                "payment row lacks amount, payment_date or due_date", file=frame, location=row
            )
        out.append(
            PaymentRecord(
                invoice_id=inv,
                customer_id=str(rec["customer_id"]),
                amount=amount,
                payment_date=paid,
                due_date=due,
                invoice_amount=to_decimal(
                    rec.get("invoice_amount"), ccy, frame=frame, column="invoice_amount", row=row
                ),
                transaction_id=_text(rec.get("transaction_id")),
            )
        )
    return out


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


@dataclass(frozen=True)
class Returns:
    """Returned payments: how many per customer, and the lines that came back."""

    by_customer: dict[str, int] = field(default_factory=dict)
    lines: frozenset[str] = frozenset()


def read_returns(
    df: pd.DataFrame | None, since: dt.date, as_of: dt.date, *, frame: str = "returns"
) -> Returns:
    """Returns dated in ``(since, as_of]`` counted per customer, and the returned lines.

    ``df`` is ``Ledger.returns()`` (``booking_date``, ``customer_ids`` as a list,
    ``original_id``) or a frame with ``customer_id`` and ``return_date``. A return that
    reopened no invoice of a known customer counts for nobody.

    Raises:
        ColumnError: no customer column or no date column.
        DateError: a date that is not one.
    """
    if df is None or len(df) == 0:
        return Returns()
    who = "customer_ids" if "customer_ids" in df.columns else "customer_id"
    when = "booking_date" if "booking_date" in df.columns else "return_date"
    require_columns(df, (who, when), frame)
    counts: dict[str, int] = {}
    lines: set[str] = set()
    for rec in df.to_dict("records"):
        original = _text(rec.get("original_id"))
        if original:
            lines.add(original)
        row = f"return {_text(rec.get('transaction_id')) or '?'}"
        day = to_date(rec[when], frame=frame, column=when, row=row)
        if day is None or not since < day <= as_of:
            continue
        value = rec[who]
        customers = (
            [value]
            if isinstance(value, str)
            else list(value)
            if isinstance(value, (list, tuple))
            else []
        )
        for cust in {str(c) for c in customers if c}:
            counts[cust] = counts.get(cust, 0) + 1
    return Returns(counts, frozenset(lines))
