"""Writing allocations: checked against what is left on each payment line and invoice
(sign-aware), with the write-offs they imply, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from rapprochement.errors import LedgerError
from rapprochement.store import schema as t
from rapprochement.store.write_offs import write_offs

__all__ = ["apply_allocations"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def apply_allocations(
    conn: Connection, rows: list[dict[str, Any]], *, made_by: str, source: str
) -> list[int]:
    """Check and write allocations (``transaction_id, invoice_id, amount_minor, currency, kind,
    score, group_id, explanation, run_id, suggestion_id, config, version``).

    Each payment line's allocations must stay within its unallocated remainder and each
    invoice's within its open amount, sign-aware; otherwise nothing is written.

    Raises:
        LedgerError: an allocation would exceed what is left (a stale suggestion, or a matcher
            bug), or names an unknown line or invoice.
    """
    if not rows:
        return []
    by_tx: dict[str, int] = defaultdict(int)
    by_inv: dict[str, int] = defaultdict(int)
    for r in rows:
        by_tx[r["transaction_id"]] += r["amount_minor"]
        if r["invoice_id"] is not None:
            by_inv[r["invoice_id"]] += r["amount_minor"]
    _check_room(conn, t.transactions, "transaction_id", by_tx, "payment line")
    room = _check_room(conn, t.invoices, "invoice_id", by_inv, "invoice")
    now = _now()
    ids = [
        int(pk)
        for pk in conn.execute(
            insert(t.allocations).returning(t.allocations.c.id, sort_by_parameter_order=True),
            [{**r, "source": source, "made_by": made_by, "created_at": now} for r in rows],
        ).scalars()
    ]
    offs = write_offs(rows, {k: room[k] - v for k, v in by_inv.items()})
    if offs:
        conn.execute(
            insert(t.allocations),
            [{**r, "source": source, "made_by": made_by, "created_at": now} for r in offs],
        )
        for r in offs:
            by_inv[r["invoice_id"]] += r["amount_minor"]
    for table, key, deltas in (
        (t.transactions, "transaction_id", by_tx),
        (t.invoices, "invoice_id", by_inv),
    ):
        if not deltas:  # only excess rows (no invoice): an empty executemany would fail
            continue
        conn.execute(
            update(table)
            .where(table.c[key] == bindparam("b_key"))
            .values(allocated_minor=table.c.allocated_minor + bindparam("b_delta")),
            [{"b_key": k, "b_delta": v} for k, v in sorted(deltas.items())],
        )
    return ids


def _check_room(
    conn: Connection, table: Any, key: str, deltas: dict[str, int], what: str
) -> dict[str, int]:
    """What is left on each row of ``deltas`` (before them); raises when a delta exceeds it."""
    keys = sorted(deltas)
    room: dict[str, int] = {}
    for i in range(0, len(keys), 500):
        q = select(
            table.c[key],
            (table.c.amount_minor if what == "payment line" else table.c.base_open_minor)
            - table.c.allocated_minor,
        ).where(table.c[key].in_(keys[i : i + 500]))
        room.update({r[0]: int(r[1]) for r in conn.execute(q)})
    for k in keys:
        if k not in room:
            raise LedgerError(f"unknown {what} {k!r}", hint="import it before allocating to it")
        left, want = room[k], deltas[k]
        if want == 0:
            continue
        if left == 0 or (want > 0) != (left > 0) or abs(want) > abs(left):
            raise LedgerError(
                f"{what} {k!r} has {left} minor units left, cannot allocate {want}",
                hint="the ledger changed since this was proposed; run reconcile again",
            )
    return room
