"""Payment history (allocations with dates) read into typed records for payer scoring."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from rapprochement.dunning.frames import require_columns, to_date, to_decimal
from rapprochement.errors import AmountError

__all__ = ["PaymentRecord", "read_payments"]


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """An amount of one payment applied to one invoice (an allocation, lettrage)."""

    invoice_id: str
    customer_id: str
    amount: Decimal
    payment_date: dt.date
    due_date: dt.date
    invoice_amount: Decimal | None


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
            )
        )
    return out
