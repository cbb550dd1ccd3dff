"""Write-offs: what closes an invoice that a ``fee`` or ``discount`` allocation settles.

The matcher reads a payment short of its invoice by a bank fee or an early-payment discount as
settling it (the invoice is closed in its result); the ledger records the shortfall as a row of
its own so that its open items agree: dunning never chases a bank fee, the aged balance and DSO
do not carry it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from rapprochement.store import schema as t

__all__ = ["WRITE_OFF_KINDS", "WRITE_OFF_ROW_KINDS", "backfill_write_offs", "write_offs"]

#: Allocation kinds that settle their invoice although the cash is short: the shortfall is
#: written off (a bank fee the seller bears, an early-payment discount it granted).
WRITE_OFF_KINDS = ("fee", "discount")
#: The kinds of the rows that record those write-offs.
WRITE_OFF_ROW_KINDS = tuple(f"{k}_write_off" for k in WRITE_OFF_KINDS)


def write_offs(rows: list[dict[str, Any]], left: dict[str, int]) -> list[dict[str, Any]]:
    """Rows closing the invoices that ``fee`` and ``discount`` allocations settle: for each, the
    open amount ``left`` after the cash as a ``fee_write_off`` / ``discount_write_off`` row on
    the same payment line and invoice. They count against the invoice only, never against the
    line (no cash moves): the ledger then agrees with the matcher, which closes such invoices,
    and dunning never chases a bank fee. An accountant posts them to bank charges (627) or to
    discounts granted (665)."""
    out = []
    for r in rows:
        iid = r["invoice_id"]
        if r["kind"] not in WRITE_OFF_KINDS or iid is None:
            continue
        rest = left.get(iid, 0)
        if rest == 0 or (rest > 0) != (r["amount_minor"] > 0):
            continue
        left[iid] = 0
        out.append({**r, "amount_minor": rest, "kind": f"{r['kind']}_write_off"})
    return out


def backfill_write_offs(conn: Connection) -> int:
    """Write off what ``fee`` and ``discount`` allocations left open in a ledger written before
    write-offs existed (schema migration 2); returns the number of rows added."""
    a, i = t.allocations.c, t.invoices.c
    q = (
        select(t.allocations, (i.base_open_minor - i.allocated_minor).label("left"))
        .join(t.invoices, i.invoice_id == a.invoice_id)
        .where(a.kind.in_(WRITE_OFF_KINDS))
        .order_by(a.id)
    )
    rows = [r._asdict() for r in conn.execute(q)]
    left = {r["invoice_id"]: int(r["left"]) for r in rows}
    base = [{k: v for k, v in r.items() if k not in ("id", "left")} for r in rows]
    offs = write_offs(base, left)
    if offs:
        conn.execute(insert(t.allocations), offs)
        for r in offs:
            conn.execute(
                update(t.invoices)
                .where(i.invoice_id == r["invoice_id"])
                .values(allocated_minor=i.allocated_minor + r["amount_minor"])
            )
    return len(offs)
