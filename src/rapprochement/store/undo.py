"""Undoing allocations: one (with its group and write-offs), a reconcile run's, or those a
return reverses.

An undone allocation leaves ``allocations`` for ``undone_allocations`` with who, when and why
(the audit trail), the line's and the invoices' allocated amounts go back, and payer IBANs and
aliases learned from it are forgotten. An undo by a person also records a *pair rejection* for
each (line, invoice) pair with a digest of the evidence at that moment (the line's remainder,
the invoice's open amount and reference, what is known of the customer's payers): reconcile
does not propose the pair again while the digest is unchanged; new evidence (a partial payment,
a learned IBAN, a corrected reference) lifts it. Undoing a whole run is a *rollback* by
default (``undo_kind = "rollback"``: no rejection, nothing learned; ADR 0029).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, update

from rapprochement.errors import LedgerError, NotFoundError
from rapprochement.store import schema as t
from rapprochement.store.write_offs import WRITE_OFF_ROW_KINDS

__all__ = [
    "clear_rejection",
    "live_rejections",
    "reverse_allocations",
    "undo_allocations",
    "undo_run",
]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _units(conn: Connection, ids: list[int]) -> list[Any]:
    """The allocation rows of ``ids`` with the rest of their unit: a grouped payment's rows
    (same line and group), or an invoice's cash and write-off rows (same line and invoice)."""
    a = t.allocations.c
    rows = list(conn.execute(select(t.allocations).where(a.id.in_(ids))))
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise NotFoundError(
            f"no allocation {', '.join(map(str, missing))}",
            hint="list them with `rapprochement export` or Ledger.allocations(); an undone "
            "allocation cannot be undone twice",
        )
    conds = []
    for r in rows:
        if r.group_id is not None:
            conds.append(and_(a.transaction_id == r.transaction_id, a.group_id == r.group_id))
        elif r.invoice_id is not None:
            conds.append(and_(a.transaction_id == r.transaction_id, a.invoice_id == r.invoice_id))
        else:
            conds.append(a.id == r.id)
    return list(conn.execute(select(t.allocations).where(or_(*conds)).order_by(a.id)))


def reverse_allocations(
    conn: Connection, rows: list[Any], *, by: str, kind: str, reason: str
) -> list[str]:
    """Move ``rows`` (allocation rows) to ``undone_allocations`` and give the money back to
    their lines and invoices; returns the invoices reopened (sorted)."""
    if not rows:
        return []
    now = _now()
    conn.execute(
        insert(t.undone_allocations),
        [
            {
                "allocation_id": r.id,
                "transaction_id": r.transaction_id,
                "invoice_id": r.invoice_id,
                "amount_minor": r.amount_minor,
                "currency": r.currency,
                "kind": r.kind,
                "score": r.score,
                "source": r.source,
                "made_by": r.made_by,
                "group_id": r.group_id,
                "run_id": r.run_id,
                "explanation": r.explanation,
                "created_at": r.created_at,
                "undone_by": by,
                "undone_at": now,
                "undo_kind": kind,
                "reason": reason,
            }
            for r in rows
        ],
    )
    ids = [r.id for r in rows]
    conn.execute(delete(t.allocations).where(t.allocations.c.id.in_(ids)))
    by_tx: dict[str, int] = defaultdict(int)
    by_inv: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.kind not in WRITE_OFF_ROW_KINDS:  # a write-off moved no cash on the line
            by_tx[r.transaction_id] += r.amount_minor
        if r.invoice_id is not None:
            by_inv[r.invoice_id] += r.amount_minor
    for table, key, deltas in (
        (t.transactions, "transaction_id", by_tx),
        (t.invoices, "invoice_id", by_inv),
    ):
        if deltas:
            conn.execute(
                update(table)
                .where(table.c[key] == bindparam("b_key"))
                .values(allocated_minor=table.c.allocated_minor - bindparam("b_delta")),
                [{"b_key": k, "b_delta": v} for k, v in sorted(deltas.items())],
            )
    for learned in (t.customer_ibans, t.customer_aliases):
        conn.execute(delete(learned).where(learned.c.learned_from.in_(ids)))
    return sorted(by_inv)


def evidence_digest(conn: Connection, transaction_id: str, invoice_id: str) -> str:
    """A digest of what the matcher sees of a pair (see the module doc)."""
    x, i = t.transactions.c, t.invoices.c
    line = conn.execute(
        select(x.amount_minor - x.allocated_minor).where(x.transaction_id == transaction_id)
    ).scalar()
    inv = conn.execute(
        select(i.customer_id, i.base_open_minor - i.allocated_minor, i.reference).where(
            i.invoice_id == invoice_id
        )
    ).first()
    parts: list[object] = [line]
    if inv is not None:
        cid = inv[0]
        ibans = conn.execute(
            select(func.count()).where(t.customer_ibans.c.customer_id == cid)
        ).scalar()
        aliases = conn.execute(
            select(func.count()).where(t.customer_aliases.c.customer_id == cid)
        ).scalar()
        parts += [inv[1], inv[2], ibans, aliases]
    return hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()


def _supersede(conn: Connection, lines: set[str]) -> None:
    """Pending suggestions of ``lines`` are stale once their allocations are undone."""
    conn.execute(
        update(t.suggestions)
        .where(t.suggestions.c.state == "pending", t.suggestions.c.transaction_id.in_(lines))
        .values(state="superseded")
    )


def undo_allocations(
    conn: Connection, ids: Iterable[int], *, by: str, reason: str = ""
) -> list[str]:
    """Undo allocations (each with its unit, see :func:`_units`) and reject their pairs;
    returns the invoices reopened."""
    rows = _units(conn, sorted({int(i) for i in ids}))
    reopened = reverse_allocations(conn, rows, by=by, kind="undo", reason=reason)
    _supersede(conn, {r.transaction_id for r in rows})
    pairs = sorted({(r.transaction_id, r.invoice_id) for r in rows if r.invoice_id is not None})
    now = _now()
    for tid, iid in pairs:
        conn.execute(
            insert(t.pair_rejections).values(
                transaction_id=tid,
                invoice_id=iid,
                evidence=evidence_digest(conn, tid, iid),
                reason=reason or "allocation undone",
                created_by=by,
                created_at=now,
            )
        )
    return reopened


def undo_run(
    conn: Connection, run_id: int, *, by: str, reason: str = "", reject: bool = False
) -> tuple[int, list[str]]:
    """Undo the automatic allocations of one reconcile run; returns (rows undone, invoices
    reopened).

    By default this is a *rollback* (ADR 0029): the allocations leave with ``undo_kind =
    "rollback"``, their pairs are not rejected and nothing is learned from them, so that a run
    undone for a wrong import or a wrong setting can simply be run again. ``reject=True`` says
    the run's allocations were wrong, each one: they are undone as :func:`undo_allocations`
    does (pairs rejected until new evidence, learned as wrong)."""
    runs = t.reconcile_runs.c
    if conn.execute(select(runs.id).where(runs.id == run_id)).first() is None:
        raise NotFoundError(f"no reconcile run {run_id}", hint="see `rapprochement status`")
    a = t.allocations.c
    ids = [
        int(i)
        for i in conn.execute(
            select(a.id).where(a.run_id == run_id, a.source == "auto").order_by(a.id)
        ).scalars()
    ]
    if not ids:
        raise LedgerError(
            f"reconcile run {run_id} has no automatic allocation left to undo",
            hint="its allocations may have been undone or reversed by a return already",
        )
    why = reason or f"undo of run {run_id}"
    if reject:
        return len(ids), undo_allocations(conn, ids, by=by, reason=why)
    rows = _units(conn, ids)
    reopened = reverse_allocations(conn, rows, by=by, kind="rollback", reason=why)
    _supersede(conn, {r.transaction_id for r in rows})
    return len(ids), reopened


def live_rejections(conn: Connection) -> set[tuple[str, str | None]]:
    """Pairs rejected by an undo whose evidence has not changed since."""
    p = t.pair_rejections.c
    out: set[tuple[str, str | None]] = set()
    for tid, iid, ev in conn.execute(select(p.transaction_id, p.invoice_id, p.evidence)):
        if evidence_digest(conn, tid, iid) == ev:
            out.add((tid, iid))
    return out


def clear_rejection(conn: Connection, transaction_id: str, invoice_id: str | None) -> None:
    """Forget the rejections of a pair (a person allocated it by hand)."""
    p = t.pair_rejections.c
    conn.execute(
        delete(t.pair_rejections).where(
            p.transaction_id == transaction_id, p.invoice_id == invoice_id
        )
    )
