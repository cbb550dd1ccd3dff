"""What reconcile gives the matcher: the ledger's open payment lines, open invoices and
learned payers, as the frames :func:`rapprochement.reconcile` reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from rapprochement.money import from_minor
from rapprochement.store import schema as t
from rapprochement.store.lines import excluded_lines

__all__ = [
    "count_undated",
    "invoice_record",
    "load_known_payers",
    "load_open_invoices",
    "load_open_transactions",
]


def load_open_transactions(conn: Connection, as_of: dt.date | None = None) -> pd.DataFrame:
    """Booked payment lines with an unallocated remainder (``amount`` = the remainder).

    A line the bank gave no booking date (an MT940 ``:61:`` without its optional entry date) is
    dated by its value date, as its fingerprint is; a line with neither date cannot be matched
    and is left out (see :func:`count_undated`).
    """
    c = t.transactions.c
    day = func.coalesce(c.booking_date, c.value_date)
    q = select(
        c.transaction_id,
        day.label("day"),
        c.value_date,
        c.amount_minor,
        c.allocated_minor,
        c.currency,
        c.counterparty_name,
        c.counterparty_iban,
        c.remittance_info,
        c.structured_reference,
        c.end_to_end_id,
    ).where(c.status == "booked", c.amount_minor != c.allocated_minor, day.is_not(None))
    # categorized lines, returns and the payments they return are never offered to invoices
    q = q.where(c.transaction_id.not_in(excluded_lines()))
    if as_of is not None:
        q = q.where(day <= as_of)
    rows = [
        {
            "transaction_id": r.transaction_id,
            "booking_date": _as_date(r.day),
            "amount": from_minor(r.amount_minor - r.allocated_minor, r.currency),
            "currency": r.currency,
            "counterparty_name": r.counterparty_name,
            "counterparty_iban": r.counterparty_iban,
            "remittance_info": r.remittance_info,
            "structured_reference": r.structured_reference,
            "end_to_end_id": r.end_to_end_id,
            "value_date": r.value_date,
        }
        for r in conn.execute(q.order_by(c.transaction_id))
    ]
    cols = [
        "transaction_id", "booking_date", "amount", "currency", "counterparty_name",
        "counterparty_iban", "remittance_info", "structured_reference", "end_to_end_id",
        "value_date",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols, dtype=object)


def count_undated(conn: Connection) -> int:
    """Open booked lines with neither a booking nor a value date (never given to the matcher)."""
    c = t.transactions.c
    q = select(func.count()).where(
        c.status == "booked",
        c.amount_minor != c.allocated_minor,
        c.booking_date.is_(None),
        c.value_date.is_(None),
    )
    return int(conn.execute(q).scalar_one())


def _as_date(v: Any) -> dt.date:
    """SQLite returns ``coalesce()`` of two DATE columns as text."""
    if isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    if isinstance(v, dt.datetime):
        return v.date()
    return v  # type: ignore[no-any-return]


def load_open_invoices(conn: Connection) -> pd.DataFrame:
    """Invoices (and credit notes) with an open amount, with the customer's name."""
    i, cu = t.invoices.c, t.customers.c
    q = (
        select(
            i.invoice_id,
            i.customer_id,
            cu.name,
            i.amount_minor,
            i.base_open_minor,
            i.allocated_minor,
            i.currency,
            i.issue_date,
            i.due_date,
            i.reference,
            i.customer_iban,
        )
        .select_from(t.invoices.outerjoin(t.customers, cu.customer_id == i.customer_id))
        .where(i.base_open_minor != i.allocated_minor)
        .order_by(i.invoice_id)
    )
    rows = [
        {
            **invoice_record(r, r.base_open_minor - r.allocated_minor),
            "customer_iban": r.customer_iban,
        }
        for r in conn.execute(q)
    ]
    cols = [
        "invoice_id", "customer_id", "customer_name", "amount", "currency", "issue_date",
        "due_date", "open_amount", "reference", "customer_iban",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols, dtype=object)


def invoice_record(r: Any, open_minor: int) -> dict[str, Any]:
    """An invoice row (with the customer's ``name``) as a record with ``open_minor`` open."""
    return {
        "invoice_id": r.invoice_id,
        "customer_id": r.customer_id,
        "customer_name": r.name or "",
        "amount": from_minor(r.amount_minor, r.currency),
        "currency": r.currency,
        "issue_date": r.issue_date,
        "due_date": r.due_date,
        "open_amount": from_minor(open_minor, r.currency),
        "reference": r.reference,
    }


def load_known_payers(conn: Connection) -> pd.DataFrame:
    """Learned payers for the matcher: ``customer_id, iban, name`` (IBANs and name aliases)."""
    names = {
        r[0]: r[1] for r in conn.execute(select(t.customers.c.customer_id, t.customers.c.name))
    }
    rows: list[dict[str, str]] = []
    ib, al, tx = t.customer_ibans.c, t.allocations.c, t.transactions.c
    # a learned IBAN is named like the line it was learned from: a parent company, a factor
    # or an accountant paying for the customer is a third party, not the customer's account
    q = (
        select(ib.customer_id, ib.iban, tx.counterparty_name)
        .select_from(
            t.customer_ibans.outerjoin(t.allocations, al.id == ib.learned_from).outerjoin(
                t.transactions, tx.transaction_id == al.transaction_id
            )
        )
        .order_by(ib.customer_id, ib.iban)
    )
    for cid, iban, payer in conn.execute(q):
        rows.append({"customer_id": cid, "iban": iban, "name": payer or names.get(cid, "")})
    for cid, alias in conn.execute(
        select(t.customer_aliases.c.customer_id, t.customer_aliases.c.alias).order_by(
            t.customer_aliases.c.customer_id, t.customer_aliases.c.alias
        )
    ):
        rows.append({"customer_id": cid, "iban": "", "name": alias})
    return pd.DataFrame(rows, columns=["customer_id", "iban", "name"], dtype=object)
