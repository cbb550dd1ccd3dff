"""Payments on account: money a customer paid that no invoice took (an overpayment's excess),
netted in the customer's statement of account like a credit note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from rapprochement.dunning.frames import require_columns, to_date, to_decimal
from rapprochement.errors import AmountError, DateError

__all__ = ["CreditRecord", "read_credits"]


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """A payment received and not allocated to any invoice (on account), to net."""

    credit_id: str
    customer_id: str
    currency: str
    amount: Decimal
    day: dt.date
    reference: str | None


def read_credits(df: pd.DataFrame | None, *, frame: str = "credits") -> list[CreditRecord]:
    """Unallocated payments: ``credit_id, customer_id, amount, currency, date[, reference]``;
    ``amount`` is what the customer paid in excess (positive).

    Raises:
        ColumnError: a required column is missing.
        AmountError: a float, missing or non-positive amount.
    """
    if df is None or len(df) == 0:
        return []
    require_columns(df, ("credit_id", "customer_id", "amount", "currency", "date"), frame)
    out: list[CreditRecord] = []
    for rec in df.to_dict("records"):
        cid = str(rec["credit_id"])
        row = f"credit {cid}"
        ccy = str(rec["currency"])
        amount = to_decimal(rec["amount"], ccy, frame=frame, column="amount", row=row)
        if amount is None or amount <= 0:
            raise AmountError(
                f"amount on account must be positive, got {amount}",
                file=frame,
                location=f"amount, {row}",
            )
        day = to_date(rec["date"], frame=frame, column="date", row=row)
        if day is None:
            raise DateError("payment on account has no date", file=frame, location=f"date, {row}")
        out.append(
            CreditRecord(
                cid, str(rec["customer_id"]), ccy, amount, day, _text(rec.get("reference"))
            )
        )
    return out


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and value != value) else str(value)
