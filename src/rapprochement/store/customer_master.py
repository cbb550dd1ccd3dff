"""Customers' master data (addresses, e-mails, language, company numbers), the dunning messages
sent, and the payments held on account (schema version 6).

::

    customers ─1 customer_details          address block, e-mails, language, SIREN, VAT
    dunning_actions ─< dunning_messages    each e-mail sent: to, Message-ID, Date, files

Both tables are keyed by natural ids, so importing the same customers file again changes
nothing, and a message is recorded once per (action, Message-ID).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Column, Connection, DateTime, Integer, Table, insert, select, update

from rapprochement.customers import Customer
from rapprochement.money import from_minor
from rapprochement.store import schema as t
from rapprochement.store.columns import ID_LENGTH, LedgerText

__all__ = [
    "create_master_tables",
    "customer_details",
    "customer_records",
    "dunning_messages",
    "payments_on_account",
    "record_messages",
    "sent_messages",
    "store_customers",
]

customer_details = Table(
    "customer_details",
    t.metadata,
    Column("customer_id", LedgerText(ID_LENGTH), primary_key=True),
    Column("record", LedgerText(), nullable=False),  # the Customer as JSON
    Column("updated_at", DateTime, nullable=False),
)

dunning_messages = Table(
    "dunning_messages",
    t.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action_id", LedgerText(), nullable=False, index=True),
    Column("customer_id", LedgerText(ID_LENGTH), nullable=False),
    Column("message_id", LedgerText(), nullable=False, unique=True),
    Column("recipients", LedgerText(), nullable=False),  # JSON list
    Column("subject", LedgerText(), nullable=False),
    Column("sent_at", DateTime, nullable=False),
    Column("files", LedgerText(), nullable=False, default="[]"),  # JSON list of attachments
)

_TABLES = (customer_details, dunning_messages)


def create_master_tables(conn: Connection) -> None:
    """Schema migration 6: the tables of this module."""
    for table in _TABLES:
        table.create(conn, checkfirst=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def store_customers(conn: Connection, customers: Sequence[Customer]) -> dict[str, int]:
    """Insert or update master data; a customer unknown to the ledger is also added to
    ``customers`` (name only). Returns counts ``new``, ``updated``, ``unchanged``."""
    now = _now()
    ids = [c.customer_id for c in customers]
    known = {
        r.customer_id: r.record
        for r in conn.execute(
            select(customer_details).where(customer_details.c.customer_id.in_(ids))
        )
    }
    in_ledger = set(
        conn.execute(select(t.customers.c.customer_id).where(t.customers.c.customer_id.in_(ids)))
        .scalars()
        .all()
    )
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for c in customers:
        record = c.model_dump_json()
        if c.customer_id not in in_ledger:
            conn.execute(insert(t.customers).values(customer_id=c.customer_id, name=c.name))
        if c.customer_id not in known:
            conn.execute(
                insert(customer_details).values(
                    customer_id=c.customer_id, record=record, updated_at=now
                )
            )
            counts["new"] += 1
        elif known[c.customer_id] != record:
            conn.execute(
                update(customer_details)
                .where(customer_details.c.customer_id == c.customer_id)
                .values(record=record, updated_at=now)
            )
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def customer_records(conn: Connection) -> dict[str, Customer]:
    """Customer id → :class:`~rapprochement.customers.Customer`, for every customer imported."""
    return {
        r.customer_id: Customer.model_validate_json(r.record)
        for r in conn.execute(select(customer_details).order_by(customer_details.c.customer_id))
    }


def payments_on_account(conn: Connection) -> pd.DataFrame:
    """Overpayments' excess held on account: ``credit_id, customer_id, amount, currency,
    date, reference``. The customer is the one whose invoices the same line paid; an excess
    whose line paid no invoice, or invoices of several customers, names no customer and is
    left out."""
    a, x, i = t.allocations.c, t.transactions.c, t.invoices.c
    paid: dict[str, set[str]] = defaultdict(set)
    for tx, customer in conn.execute(
        select(a.transaction_id, i.customer_id).select_from(
            t.allocations.join(t.invoices, i.invoice_id == a.invoice_id)
        )
    ):
        paid[tx].add(customer)
    # a line that paid invoices of several customers (a payout) names no one customer
    payer = {tx: next(iter(who)) for tx, who in paid.items() if len(who) == 1}
    q = (
        select(a.transaction_id, a.amount_minor, a.currency, x.booking_date)
        .select_from(t.allocations.join(t.transactions, x.transaction_id == a.transaction_id))
        .where(a.invoice_id.is_(None))
        .order_by(a.id)
    )
    rows = [
        {
            "credit_id": r.transaction_id,
            "customer_id": payer[r.transaction_id],
            "amount": from_minor(abs(r.amount_minor), r.currency),
            "currency": r.currency,
            "date": r.booking_date,
            "reference": r.transaction_id,
        }
        for r in conn.execute(q)
        if r.transaction_id in payer and r.amount_minor != 0
    ]
    cols = ["credit_id", "customer_id", "amount", "currency", "date", "reference"]
    return pd.DataFrame(rows, columns=cols, dtype=object)


def record_messages(conn: Connection, messages: Iterable[Mapping[str, Any]]) -> int:
    """Record sent messages (``action_id, customer_id, message_id, recipients, subject,
    sent_at, files``); one already recorded (same Message-ID) is skipped. Returns how many
    were new."""
    new = 0
    for m in messages:
        found = conn.execute(
            select(dunning_messages.c.id).where(
                dunning_messages.c.message_id == str(m["message_id"])
            )
        ).first()
        if found is not None:
            continue
        conn.execute(
            insert(dunning_messages).values(
                action_id=str(m["action_id"]),
                customer_id=str(m["customer_id"]),
                message_id=str(m["message_id"]),
                recipients=json.dumps(list(m["recipients"])),
                subject=str(m["subject"]),
                sent_at=m["sent_at"],
                files=json.dumps([str(f) for f in m.get("files", ())]),
            )
        )
        new += 1
    return new


def sent_messages(conn: Connection) -> pd.DataFrame:
    """Messages sent: ``action_id, customer_id, message_id, recipients (list), subject,
    sent_at, files (list)``, oldest first."""
    d = dunning_messages.c
    rows = [
        {
            "action_id": r.action_id,
            "customer_id": r.customer_id,
            "message_id": r.message_id,
            "recipients": json.loads(r.recipients),
            "subject": r.subject,
            "sent_at": r.sent_at,
            "files": json.loads(r.files),
        }
        for r in conn.execute(select(dunning_messages).order_by(d.sent_at, d.id))
    ]
    cols = ["action_id", "customer_id", "message_id", "recipients", "subject", "sent_at", "files"]
    return pd.DataFrame(rows, columns=cols, dtype=object)
