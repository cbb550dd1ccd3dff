"""Allocations as the accountant and the ERP need them: each with its payment line's booking
date, bank reference, bank account and payer, its invoice's customer and what is still open."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from rapprochement.store import schema as t

__all__ = ["settlement_rows"]


def settlement_rows(conn: Connection) -> list[dict[str, Any]]:
    """One dict per allocation, in allocation order: ``allocation_id, transaction_id,
    invoice_id, customer_id, customer_name, amount_minor, currency, kind, source, made_by,
    score, group_id, run_id, suggestion_id, version, created_at, made_on, booking_date,
    bank_reference, account, payer, payer_iban, open_minor, invoice_settled``."""
    a, x, e, acc = t.allocations.c, t.transactions.c, t.entries.c, t.accounts.c
    i, c = t.invoices.c, t.customers.c
    q = (
        select(
            a.id.label("allocation_id"), a.transaction_id, a.invoice_id, i.customer_id,
            c.name.label("customer_name"), a.amount_minor, a.currency, a.kind, a.source,
            a.made_by, a.score, a.group_id, a.run_id, a.suggestion_id, a.version, a.created_at,
            x.booking_date, e.bank_reference, acc.account, x.counterparty_name.label("payer"),
            x.counterparty_iban.label("payer_iban"),
            (i.base_open_minor - i.allocated_minor).label("open_minor"),
        )
        .select_from(
            t.allocations.outerjoin(t.transactions, x.transaction_id == a.transaction_id)
            .outerjoin(t.entries, e.id == x.entry_pk)
            .outerjoin(t.accounts, acc.id == e.account_id)
            .outerjoin(t.invoices, i.invoice_id == a.invoice_id)
            .outerjoin(t.customers, c.customer_id == i.customer_id)
        )
        .order_by(a.id)
    )  # fmt: skip
    out = []
    for r in conn.execute(q):
        d = r._asdict()
        d["made_on"] = r.created_at.date() if r.created_at is not None else None
        d["invoice_settled"] = r.invoice_id is not None and r.open_minor == 0
        out.append(d)
    return out
