"""Read-only views of the ledger as DataFrames (money as ``Decimal``) and the status counts."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from rapprochement.csv_out import write_csv
from rapprochement.errors import LedgerError
from rapprochement.money import from_minor
from rapprochement.store import schema as t
from rapprochement.store.open_items import invoice_record
from rapprochement.store.settlements import settlement_rows
from rapprochement.store.write_offs import WRITE_OFF_ROW_KINDS

__all__ = [
    "ALLOCATION_COLUMNS",
    "allocations_frame",
    "customers_frame",
    "export_allocations",
    "open_items",
    "payment_history",
    "status",
    "suggestions_frame",
]


def _frame(rows: list[dict[str, Any]], cols: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=cols, dtype=object)


def suggestions_frame(conn: Connection, state: str | None = "pending") -> pd.DataFrame:
    """Suggestions with the line and invoice they join, best score first."""
    s, x, i, c = t.suggestions.c, t.transactions.c, t.invoices.c, t.customers.c
    q = (
        select(
            s.id,
            s.run_id,
            s.transaction_id,
            s.invoice_id,
            s.amount_minor,
            s.currency,
            s.kind,
            s.score,
            s.group_id,
            s.explanation,
            s.state,
            x.booking_date,
            x.counterparty_name,
            x.remittance_info,
            x.amount_minor.label("tx_minor"),
            i.customer_id,
            c.name.label("customer_name"),
        )
        .select_from(
            t.suggestions.outerjoin(t.transactions, x.transaction_id == s.transaction_id)
            .outerjoin(t.invoices, i.invoice_id == s.invoice_id)
            .outerjoin(t.customers, c.customer_id == i.customer_id)
        )
        .order_by(s.score.desc(), s.id)
    )
    if state is not None:
        q = q.where(s.state == state)
    cols = [
        "suggestion_id", "run_id", "transaction_id", "invoice_id", "amount", "currency", "kind",
        "score", "group_id", "state", "booking_date", "counterparty_name", "remittance_info",
        "payment_amount", "customer_id", "customer_name", "explanation",
    ]  # fmt: skip
    rows = [
        {
            "suggestion_id": r.id,
            "run_id": r.run_id,
            "transaction_id": r.transaction_id,
            "invoice_id": r.invoice_id,
            "amount": from_minor(r.amount_minor, r.currency),
            "currency": r.currency,
            "kind": r.kind,
            "score": r.score,
            "group_id": r.group_id,
            "state": r.state,
            "booking_date": r.booking_date,
            "counterparty_name": r.counterparty_name,
            "remittance_info": r.remittance_info,
            "payment_amount": None if r.tx_minor is None else from_minor(r.tx_minor, r.currency),
            "customer_id": r.customer_id,
            "customer_name": r.customer_name,
            "explanation": r.explanation,
        }
        for r in conn.execute(q)
    ]
    return _frame(rows, cols)


#: The columns of :func:`allocations_frame` (and of the allocations CSV), in order.
ALLOCATION_COLUMNS = [
    "allocation_id", "transaction_id", "invoice_id", "customer_id", "customer_name", "amount",
    "currency", "kind", "source", "made_by", "score", "group_id", "run_id", "suggestion_id",
    "version", "created_at", "booking_date", "bank_reference", "account", "payer", "payer_iban",
    "open_amount",
]  # fmt: skip


def allocations_frame(conn: Connection) -> pd.DataFrame:
    """Every allocation with its payment line (booking date, bank reference, bank account,
    payer and IBAN) and its invoice (customer id and name, ``open_amount`` still open on it;
    None for an overpayment), money as ``Decimal``."""
    rows = []
    for r in settlement_rows(conn):
        d = {k: r.get(k) for k in ALLOCATION_COLUMNS}
        d["amount"] = from_minor(r["amount_minor"], r["currency"])
        d["open_amount"] = (
            None if r["open_minor"] is None else from_minor(int(r["open_minor"]), r["currency"])
        )
        rows.append(d)
    return _frame(rows, ALLOCATION_COLUMNS)


#: Allocation columns written as numbers in the CSV export; the others are text.
_EXPORT_NUMERIC = ("allocation_id", "amount", "score", "run_id", "suggestion_id", "open_amount")


def export_allocations(
    conn: Connection, path: str | os.PathLike[str], *, excel_fr: bool = False
) -> int:
    """Write the allocations as CSV (amounts as plain decimals) for an ERP; returns the count.
    Text cells are neutralized against formula injection (:mod:`rapprochement.csv_out`).
    ``excel_fr``: ``;`` separated, decimal commas, UTF-8 with a BOM (French Excel)."""
    df = allocations_frame(conn)
    target = Path(path)
    try:
        with target.open("w", newline="", encoding="utf-8-sig" if excel_fr else "utf-8") as fh:
            return write_csv(
                fh,
                list(df.columns),
                df.itertuples(index=False),
                numeric=_EXPORT_NUMERIC,
                excel_fr=excel_fr,
            )
    except OSError as exc:
        raise LedgerError(f"cannot write: {exc.strerror}", file=str(target)) from None


def open_items(conn: Connection, as_of: dt.date | None = None) -> pd.DataFrame:
    """Invoices with an open amount (as of a date: issued by then, payments booked by then)."""
    i, c = t.invoices.c, t.customers.c
    q = select(
        i.invoice_id, i.customer_id, c.name, i.amount_minor, i.base_open_minor,
        i.allocated_minor, i.currency, i.issue_date, i.due_date, i.reference,
    ).select_from(t.invoices.outerjoin(t.customers, c.customer_id == i.customer_id))  # fmt: skip
    paid_after: dict[str, int] = defaultdict(int)
    if as_of is not None:
        q = q.where(i.issue_date <= as_of)
        a, x = t.allocations.c, t.transactions.c
        late = (
            select(a.invoice_id, func.sum(a.amount_minor))
            .select_from(t.allocations.join(t.transactions, x.transaction_id == a.transaction_id))
            .where(a.invoice_id.is_not(None), x.booking_date > as_of)
            .group_by(a.invoice_id)
        )
        paid_after.update({r[0]: int(r[1]) for r in conn.execute(late)})
    cols = [
        "invoice_id", "customer_id", "customer_name", "amount", "currency", "issue_date",
        "due_date", "open_amount", "reference",
    ]  # fmt: skip
    rows = []
    for r in conn.execute(q.order_by(i.invoice_id)):
        open_minor = r.base_open_minor - r.allocated_minor + paid_after.get(r.invoice_id, 0)
        if open_minor == 0:
            continue
        rows.append(invoice_record(r, open_minor))
    return _frame(rows, cols)


def customers_frame(conn: Connection) -> pd.DataFrame:
    """Customers: ``customer_id, name, segment, credit_limit`` (Decimal or None)."""
    c = t.customers.c
    rows = [
        {
            "customer_id": r.customer_id,
            "name": r.name,
            "segment": r.segment,
            "credit_limit": None
            if r.credit_limit_minor is None
            else from_minor(r.credit_limit_minor, r.credit_currency or "EUR"),
        }
        for r in conn.execute(select(t.customers).order_by(c.customer_id))
    ]
    return _frame(rows, ["customer_id", "name", "segment", "credit_limit"])


def payment_history(conn: Connection) -> pd.DataFrame:
    """One row per allocation to an invoice, with payment and invoice dates."""
    a, x, i = t.allocations.c, t.transactions.c, t.invoices.c
    q = (
        select(
            a.invoice_id,
            i.customer_id,
            a.transaction_id,
            a.amount_minor,
            a.currency,
            x.booking_date,
            i.issue_date,
            i.due_date,
            i.amount_minor.label("inv_minor"),
        )
        .select_from(
            t.allocations.join(t.transactions, x.transaction_id == a.transaction_id).join(
                t.invoices, i.invoice_id == a.invoice_id
            )
        )
        .order_by(a.id)
    )
    rows = [
        {
            "invoice_id": r.invoice_id,
            "customer_id": r.customer_id,
            "transaction_id": r.transaction_id,
            "amount": from_minor(r.amount_minor, r.currency),
            "payment_date": r.booking_date,
            "issue_date": r.issue_date,
            "due_date": r.due_date,
            "invoice_amount": from_minor(r.inv_minor, r.currency),
        }
        for r in conn.execute(q)
    ]
    cols = [
        "invoice_id", "customer_id", "transaction_id", "amount", "payment_date", "issue_date",
        "due_date", "invoice_amount",
    ]  # fmt: skip
    return _frame(rows, cols)


def _count(conn: Connection, q: Any) -> int:
    return int(conn.execute(q).scalar() or 0)


def status(conn: Connection, schema_version: int) -> dict[str, Any]:
    """Counts and amounts: entries, lines matched, open invoices and amounts, suggestions."""
    x, i, s, a = t.transactions.c, t.invoices.c, t.suggestions.c, t.allocations.c
    booked = x.status == "booked"
    n_tx = _count(conn, select(func.count()).where(booked))
    full = _count(conn, select(func.count()).where(booked, x.allocated_minor == x.amount_minor))
    partial = _count(
        conn,
        select(func.count()).where(
            booked, x.allocated_minor != 0, x.allocated_minor != x.amount_minor
        ),
    )
    open_amount: dict[str, str] = {}
    matched_amount: dict[str, str] = {}
    for ccy, o in conn.execute(
        select(i.currency, func.sum(i.base_open_minor - i.allocated_minor)).group_by(i.currency)
    ):
        open_amount[ccy] = str(from_minor(int(o or 0), ccy))
    # cash allocated; write-offs (the fee or discount a settled invoice was short of) apart
    cash = a.kind.not_in(WRITE_OFF_ROW_KINDS)
    written_off: dict[str, str] = {}
    for is_cash, ccy, m in conn.execute(
        select(cash, a.currency, func.sum(a.amount_minor)).group_by(cash, a.currency)
    ):
        (matched_amount if is_cash else written_off)[ccy] = str(from_minor(int(m or 0), ccy))
    by_source = {
        r[0]: int(r[1])
        for r in conn.execute(select(a.source, func.count()).where(cash).group_by(a.source))
    }
    last = conn.execute(
        select(t.reconcile_runs.c.id, t.reconcile_runs.c.finished_at, t.reconcile_runs.c.version)
        .order_by(t.reconcile_runs.c.id.desc())
        .limit(1)
    ).first()
    return {
        "schema_version": schema_version,
        "statements": _count(conn, select(func.count()).select_from(t.statements)),
        "entries": _count(conn, select(func.count()).select_from(t.entries)),
        "transactions": n_tx,
        "matched_transactions": full,
        "partially_matched_transactions": partial,
        "unmatched_transactions": n_tx - full - partial,
        "match_rate": round(full / n_tx, 4) if n_tx else 0.0,
        "invoices": _count(conn, select(func.count()).select_from(t.invoices)),
        "open_invoices": _count(
            conn, select(func.count()).where(i.base_open_minor != i.allocated_minor)
        ),
        "open_amount": open_amount,
        "matched_amount": matched_amount,
        "written_off_amount": written_off,
        "allocations": by_source,
        "suggestions_pending": _count(conn, select(func.count()).where(s.state == "pending")),
        "customers": _count(conn, select(func.count()).select_from(t.customers)),
        "learned_ibans": _count(
            conn,
            select(func.count()).where(t.customer_ibans.c.source == "learned"),
        ),
        "learned_aliases": _count(conn, select(func.count()).select_from(t.customer_aliases)),
        "last_run": None
        if last is None
        else {
            "run_id": last.id,
            "finished_at": last.finished_at.isoformat(timespec="seconds")
            if last.finished_at
            else None,
            "version": last.version,
        },
    }
