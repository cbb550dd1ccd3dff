"""Disputes and promises to pay as the command line sees them: listed with their ids, state and
invoice, and closed.

Closing an event ends it on a day (its ``end``): a dispute settled, a promise kept or broken.
The day and the reason are appended to its note, so the record stays (nothing is deleted).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select, update

from rapprochement.errors import DateError, LedgerError, NotFoundError
from rapprochement.money import from_minor
from rapprochement.store import schema as t

__all__ = ["EVENT_COLUMNS", "close_event", "event_rows"]

#: The columns of :func:`event_rows`.
EVENT_COLUMNS = ("id", "invoice_id", "customer_id", "customer_name", "kind", "start", "end",
                 "note", "open_amount", "currency", "active")  # fmt: skip


def event_rows(conn: Connection, as_of: dt.date, *, active_only: bool = False) -> pd.DataFrame:
    """Every dispute and promise with its invoice's customer and open amount, and whether it
    holds on ``as_of`` (start ≤ as_of ≤ end, no end: open)."""
    e, i, c = t.invoice_events.c, t.invoices.c, t.customers.c
    q = (
        select(e.id, e.invoice_id, i.customer_id, c.name, e.kind, e.start, e.end, e.note,
               i.base_open_minor - i.allocated_minor, i.currency)
        .join(t.invoices, i.invoice_id == e.invoice_id)
        .join(t.customers, c.customer_id == i.customer_id, isouter=True)
        .order_by(e.start, e.id)
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    for r in conn.execute(q):
        active = r.start <= as_of and (r.end is None or as_of <= r.end)
        if active_only and not active:
            continue
        rows.append({"id": r.id, "invoice_id": r.invoice_id, "customer_id": r.customer_id,
                     "customer_name": r.name or "", "kind": r.kind, "start": r.start,
                     "end": r.end, "note": r.note, "open_amount": from_minor(r[8], r.currency),
                     "currency": r.currency, "active": active})  # fmt: skip
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


_CLOSED = " | closed "


def close_event(conn: Connection, event_id: int, on: dt.date, reason: str = "") -> str:
    """End event ``event_id`` on ``on`` (it no longer holds the day after); returns its invoice.

    Raises:
        NotFoundError: no such event.
        DateError: ``on`` is before the event's start.
        LedgerError: it already ended before ``on``.
    """
    e = t.invoice_events.c
    row = conn.execute(select(t.invoice_events).where(e.id == event_id)).first()
    if row is None:
        raise NotFoundError(f"no dispute or promise {event_id}", hint="list them: dunning events")
    if on < row.start:
        raise DateError(f"--on {on} is before the {row.kind}'s start {row.start}",
                        location=f"event {event_id}")  # fmt: skip
    if (row.end is not None and row.end < on) or _CLOSED in f" {row.note}":
        raise LedgerError(f"{row.kind} {event_id} already ended on {row.end}")
    note = f"{row.note}{_CLOSED}{on.isoformat()}" + (f": {reason}" if reason else "")
    conn.execute(
        update(t.invoice_events).where(e.id == event_id).values(end=on, note=note.strip(" |"))
    )
    return str(row.invoice_id)
