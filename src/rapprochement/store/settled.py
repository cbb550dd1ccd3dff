"""Invoices settled outside the bank: what a snapshot import closes, recorded and reversible.

A *snapshot* import (``invoices import --snapshot``) takes the file as the ERP's complete list
of open items. An invoice the ledger holds open that the file does not list was settled
outside the bank lines this ledger sees: paid in cash or by cheque, cancelled by a credit note
in the ERP, written off there. It is closed by setting its base open amount to what the ledger
allocated (its open amount becomes 0), and a row of ``invoice_settlements`` records the import,
the open amount closed, who and when (the audit trail). Reopening (an undo of the import, or of
one invoice) gives the open amount back; an invoice that a later import lists again is open
again and its settlement is marked reopened.

In a snapshot the ERP's open amount (``Reste dû``) is what is open now: the ledger's open
amount becomes the smaller of it and what the ledger itself leaves open (amount − allocated),
so a payment the ERP has booked and this ledger matched is not subtracted twice.

Tables (schema migration 7): ``invoice_imports`` (one row per invoice import) and
``invoice_settlements``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Integer,
    Table,
    bindparam,
    insert,
    select,
    update,
)

from rapprochement.errors import LedgerError, NotFoundError
from rapprochement.money import from_minor
from rapprochement.store import schema as t
from rapprochement.store.columns import ID_LENGTH, LedgerText

__all__ = [
    "close_missing",
    "create_settlement_tables",
    "invoice_imports",
    "invoice_settlements",
    "record_import",
    "relist",
    "reopen",
    "settlements_frame",
    "snapshot_open_amounts",
]

invoice_imports = Table(
    "invoice_imports",
    t.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", LedgerText(), nullable=False),
    Column("snapshot", Boolean, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("closed", Integer, nullable=False),
    Column("made_by", LedgerText(), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

invoice_settlements = Table(
    "invoice_settlements",
    t.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("invoice_id", LedgerText(ID_LENGTH), nullable=False, index=True),
    Column("import_id", Integer, ForeignKey("invoice_imports.id"), nullable=False, index=True),
    Column("open_minor", BigInteger, nullable=False),  # the open amount it closed
    Column("currency", LedgerText(3), nullable=False),
    Column("reason", LedgerText(), nullable=False),
    Column("made_by", LedgerText(), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("reopened_at", DateTime, nullable=True),
    Column("reopened_by", LedgerText(), nullable=True),
    Column("reopen_reason", LedgerText(), nullable=True),
)

_CHUNK = 500


def create_settlement_tables(conn: Connection) -> None:
    """Schema migration 7: the tables of this module."""
    for table in (invoice_imports, invoice_settlements):
        table.create(conn, checkfirst=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def snapshot_open_amounts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """In a snapshot, the ERP's open amount is what is open now (see the module doc): each
    row's ``base_open_minor`` becomes allocated + min(ERP open, amount − allocated)."""
    i = t.invoices.c
    ids = [r["invoice_id"] for r in rows]
    allocated: dict[str, int] = {}
    for k in range(0, len(ids), _CHUNK):
        q = select(i.invoice_id, i.allocated_minor).where(i.invoice_id.in_(ids[k : k + _CHUNK]))
        allocated.update((a, int(b)) for a, b in conn.execute(q))
    for r in rows:
        done = allocated.get(r["invoice_id"], 0)
        sign = -1 if r["amount_minor"] < 0 else 1
        left = min(sign * r["base_open_minor"], max(0, sign * (r["amount_minor"] - done)))
        r["base_open_minor"] = done + sign * left


def record_import(conn: Connection, source: str, snapshot: bool, rows: int, by: str) -> int:
    """Add the ``invoice_imports`` row of an import; returns its id."""
    res = conn.execute(
        insert(invoice_imports).values(
            source=source, snapshot=snapshot, rows=rows, closed=0, made_by=by, created_at=_now()
        )
    )
    key = res.inserted_primary_key
    assert key is not None
    return int(key[0])


def close_missing(
    conn: Connection, listed: Iterable[str], import_id: int, by: str
) -> list[dict[str, str]]:
    """Close every open invoice not in ``listed`` as settled outside the bank; returns them
    (invoice, customer, open amount closed, currency), sorted by invoice id."""
    i = t.invoices.c
    present = set(listed)
    q = select(i.invoice_id, i.customer_id, i.base_open_minor, i.allocated_minor, i.currency)
    gone = [r for r in conn.execute(q.where(i.base_open_minor != i.allocated_minor))
            if r.invoice_id not in present]  # fmt: skip
    gone.sort(key=lambda r: r.invoice_id)
    if not gone:
        return []
    now = _now()
    conn.execute(
        insert(invoice_settlements),
        [
            {"invoice_id": r.invoice_id, "import_id": import_id,
             "open_minor": r.base_open_minor - r.allocated_minor, "currency": r.currency,
             "reason": "absent from snapshot import", "made_by": by, "created_at": now}
            for r in gone
        ],
    )  # fmt: skip
    conn.execute(
        update(t.invoices)
        .where(i.invoice_id == bindparam("b_id"))
        .values(base_open_minor=i.allocated_minor, updated_at=now, seen_run=None),
        [{"b_id": r.invoice_id} for r in gone],
    )
    conn.execute(
        update(invoice_imports).where(invoice_imports.c.id == import_id).values(closed=len(gone))
    )
    return [
        {"invoice_id": r.invoice_id, "customer_id": r.customer_id,
         "open_amount": str(from_minor(r.base_open_minor - r.allocated_minor, r.currency)),
         "currency": r.currency}
        for r in gone
    ]  # fmt: skip


def _active(conn: Connection, where: Any) -> list[Any]:
    s = invoice_settlements.c
    q = select(invoice_settlements).where(where, s.reopened_at.is_(None)).order_by(s.id)
    return list(conn.execute(q))


def _mark(conn: Connection, rows: Sequence[Any], by: str, reason: str) -> None:
    s = invoice_settlements.c
    if not rows:
        return
    conn.execute(
        update(invoice_settlements)
        .where(s.id == bindparam("b_id"))
        .values(reopened_at=_now(), reopened_by=by, reopen_reason=reason),
        [{"b_id": r.id} for r in rows],
    )


def relist(conn: Connection, listed: Sequence[str], import_id: int, by: str) -> list[str]:
    """Mark reopened the settlements of invoices an import lists again as open (the import
    itself set their open amount; listed with nothing open, they stay settled); returns them."""
    s, i = invoice_settlements.c, t.invoices.c
    found: list[Any] = []
    for k in range(0, len(listed), _CHUNK):
        part = listed[k : k + _CHUNK]
        still_open = select(i.invoice_id).where(
            i.invoice_id.in_(part), i.base_open_minor != i.allocated_minor
        )
        found += _active(conn, s.invoice_id.in_(still_open))
    _mark(conn, found, by, f"listed again by invoice import {import_id}")
    return sorted({r.invoice_id for r in found})


def reopen(
    conn: Connection,
    *,
    invoice_ids: Sequence[str] = (),
    import_id: int | None = None,
    by: str,
    reason: str = "",
) -> list[str]:
    """Reopen invoices settled outside the bank (given ones, or all an import closed): their
    open amount comes back. Returns the invoices reopened.

    Raises:
        NotFoundError: no such import, or an invoice with no open settlement.
    """
    s = invoice_settlements.c
    if import_id is not None:
        known = select(invoice_imports.c.id).where(invoice_imports.c.id == import_id)
        if conn.execute(known).first() is None:
            raise NotFoundError(f"no invoice import {import_id}", hint="see `invoices imports`")
        rows = _active(conn, s.import_id == import_id)
        if not rows:
            raise LedgerError(
                f"invoice import {import_id} has no settled invoice left to reopen",
                hint="it closed none, or they were reopened already",
            )
    else:
        rows = _active(conn, s.invoice_id.in_(list(invoice_ids)))
        missing = sorted(set(invoice_ids) - {r.invoice_id for r in rows})
        if missing:
            raise NotFoundError(
                f"no open settlement of invoice(s) {', '.join(missing)}",
                hint="list them with `rapprochement invoices settled`",
            )
    if not rows:
        return []
    i = t.invoices.c
    now = _now()
    conn.execute(
        update(t.invoices)
        .where(i.invoice_id == bindparam("b_id"))
        .values(base_open_minor=i.allocated_minor + bindparam("b_open"), updated_at=now,
                seen_run=None),
        [{"b_id": r.invoice_id, "b_open": r.open_minor} for r in rows],
    )  # fmt: skip
    why = reason or (f"undo of invoice import {import_id}" if import_id else "reopened")
    _mark(conn, rows, by, why)
    return sorted({r.invoice_id for r in rows})


def settlements_frame(conn: Connection, *, active_only: bool = True) -> pd.DataFrame:
    """Invoices settled outside the bank: ``invoice_id, customer_id, open_amount, currency,
    import_id, source, reason, made_by, created_at, reopened_at, reopened_by, reopen_reason``."""
    s, m, i = invoice_settlements.c, invoice_imports.c, t.invoices.c
    q = (
        select(s.invoice_id, i.customer_id, s.open_minor, s.currency, s.import_id, m.source,
               s.reason, s.made_by, s.created_at, s.reopened_at, s.reopened_by, s.reopen_reason)
        .join(invoice_imports, m.id == s.import_id)
        .join(t.invoices, i.invoice_id == s.invoice_id)
        .order_by(s.id)
    )  # fmt: skip
    if active_only:
        q = q.where(s.reopened_at.is_(None))
    recs = []
    for r in conn.execute(q):
        d = r._asdict()
        d["open_amount"] = from_minor(d.pop("open_minor"), r.currency)
        recs.append(d)
    cols = ["invoice_id", "customer_id", "open_amount", "currency", "import_id", "source",
            "reason", "made_by", "created_at", "reopened_at", "reopened_by",
            "reopen_reason"]  # fmt: skip
    return pd.DataFrame(recs, columns=cols)
