"""One customer's account: what is open (invoices and credits), the payments, the history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from rapprochement.errors import NotFoundError
from rapprochement.money import from_minor
from rapprochement.store import schema as t
from rapprochement.store.settlements import settlement_rows

__all__ = ["CustomerView", "customer_view"]

_HISTORY = ["date", "event", "invoice_id", "amount", "currency", "detail"]
_PAYMENTS = [
    "booking_date", "transaction_id", "invoice_id", "amount", "currency", "kind", "source",
    "payer", "bank_reference",
]  # fmt: skip


@dataclass(frozen=True)
class CustomerView:
    """A customer's account, as :meth:`Ledger.customer <rapprochement.store.Ledger.customer>`
    returns it (money as ``Decimal``).

    Attributes:
        customer_id, name, segment: who.
        open_items: invoices with something left to pay (``invoice_id, issue_date, due_date,
            amount, open_amount, currency, days_overdue``), oldest first.
        credits: credit notes (negative open amount) not yet used, same columns.
        payments: allocations to the customer's invoices, newest first.
        history: invoices issued, payments, write-offs, undone allocations and reminders, in
            date order (``date, event, invoice_id, amount, currency, detail``).
        balance: open amount per currency (invoices less credits).
    """

    customer_id: str
    name: str
    segment: str | None
    open_items: pd.DataFrame
    credits: pd.DataFrame
    payments: pd.DataFrame
    history: pd.DataFrame
    balance: dict[str, Any]


def customer_view(conn: Connection, customer_id: str, as_of: dt.date) -> CustomerView:
    """The :class:`CustomerView` of ``customer_id`` on ``as_of`` (for days overdue).

    Raises:
        NotFoundError: no such customer.
    """
    c, i = t.customers.c, t.invoices.c
    who = conn.execute(select(t.customers).where(c.customer_id == customer_id)).first()
    if who is None:
        raise NotFoundError(f"no customer {customer_id!r}", hint="see `rapprochement kpi`")
    items, history = [], []
    balance: dict[str, int] = {}
    inv_q = select(t.invoices).where(i.customer_id == customer_id).order_by(i.issue_date)
    for r in conn.execute(inv_q):
        history.append((r.issue_date, "invoice", r.invoice_id, r.amount_minor, r.currency, ""))
        left = r.base_open_minor - r.allocated_minor
        if left == 0:
            continue
        balance[r.currency] = balance.get(r.currency, 0) + left
        late = (as_of - r.due_date).days if r.due_date is not None else None
        items.append({
            "invoice_id": r.invoice_id, "issue_date": r.issue_date, "due_date": r.due_date,
            "amount": from_minor(r.amount_minor, r.currency),
            "open_amount": from_minor(left, r.currency), "currency": r.currency,
            "days_overdue": late if late is not None and late > 0 else 0,
        })  # fmt: skip
    payments = []
    for s in settlement_rows(conn):
        if s["customer_id"] != customer_id:
            continue
        event = "write-off" if str(s["kind"]).endswith("_write_off") else "payment"
        detail = f"{s['payer'] or ''} {s['bank_reference'] or ''}".strip()
        history.append((s["booking_date"], event, s["invoice_id"], s["amount_minor"],
                        s["currency"], detail))  # fmt: skip
        payments.append({**{k: s.get(k) for k in _PAYMENTS},
                         "amount": from_minor(s["amount_minor"], s["currency"])})  # fmt: skip
    u = t.undone_allocations.c
    ours = select(i.invoice_id).where(i.customer_id == customer_id)
    for r in conn.execute(select(t.undone_allocations).where(u.invoice_id.in_(ours))):
        history.append((r.undone_at.date(), f"{r.undo_kind}", r.invoice_id, -r.amount_minor,
                        r.currency, r.reason))  # fmt: skip
    d = t.dunning_actions.c
    for r in conn.execute(select(t.dunning_actions).where(d.customer_id == customer_id)):
        history.append((r.action_date, f"reminder {r.level}", r.invoice_ids, None, "", r.channel))
    hist = [
        dict(zip(_HISTORY, (day, ev, iid, None if m is None else from_minor(m, ccy or "EUR"),
                            ccy, detail), strict=True))
        for day, ev, iid, m, ccy, detail in sorted(
            history, key=lambda h: (h[0] or dt.date.min, str(h[1]), str(h[2])))
    ]  # fmt: skip
    cols = ["invoice_id", "issue_date", "due_date", "amount", "open_amount", "currency",
            "days_overdue"]  # fmt: skip
    frame = pd.DataFrame(items, columns=cols, dtype=object)
    negative = [bool(v < 0) for v in frame["open_amount"]]
    positive = [not v for v in negative]
    pay = pd.DataFrame(payments, columns=_PAYMENTS, dtype=object)
    return CustomerView(
        customer_id=who.customer_id,
        name=who.name,
        segment=who.segment,
        open_items=frame[positive].reset_index(drop=True),
        credits=frame[negative].reset_index(drop=True),
        payments=pay.iloc[::-1].reset_index(drop=True),
        history=pd.DataFrame(hist, columns=_HISTORY, dtype=object),
        balance={k: from_minor(v, k) for k, v in sorted(balance.items())},
    )
