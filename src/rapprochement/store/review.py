"""Decisions on suggestions, manual allocations, and what the ledger learns from them.

Accepting a suggestion accepts its whole group (the rows of one grouped payment share a
``group_id``): the allocations are written with ``source="accepted"``, the decision is kept, and
the payer is learned: the line's counterparty IBAN is linked to the invoice's customer and its
counterparty name becomes an alias when it differs from the customer's name. The next reconcile
passes these as ``customers=`` to the matcher.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, insert, select, update

from rapprochement.errors import LedgerError, NotFoundError
from rapprochement.money import to_minor
from rapprochement.store import schema as t
from rapprochement.store.columns import ALIAS_LENGTH, IBAN_LENGTH
from rapprochement.store.reconcile import apply_allocations

R = TypeVar("R")

__all__ = ["accept", "allocate", "decide_many", "learn", "reject"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _group(conn: Connection, suggestion_id: int) -> list[Any]:
    s = t.suggestions.c
    row = conn.execute(select(t.suggestions).where(s.id == suggestion_id)).first()
    if row is None:
        raise NotFoundError(
            f"no suggestion {suggestion_id}", hint="list them with `rapprochement review`"
        )
    if row.state != "pending":
        raise LedgerError(
            f"suggestion {suggestion_id} is {row.state}, not pending",
            hint="only pending suggestions can be decided; run `rapprochement review`",
        )
    if row.group_id is None:
        return [row]
    q = select(t.suggestions).where(
        s.run_id == row.run_id, s.group_id == row.group_id, s.state == "pending"
    )
    return list(conn.execute(q.order_by(s.id)))


def _decide(conn: Connection, rows: list[Any], decision: str, by: str, note: str) -> None:
    now = _now()
    conn.execute(
        update(t.suggestions)
        .where(t.suggestions.c.id.in_([r.id for r in rows]))
        .values(state=decision)
    )
    conn.execute(
        insert(t.decisions),
        [
            {
                "suggestion_id": r.id,
                "decision": decision,
                "transaction_id": r.transaction_id,
                "invoice_id": r.invoice_id,
                "decided_by": by,
                "decided_at": now,
                "note": note,
            }
            for r in rows
        ],
    )


def learn(conn: Connection, pairs: list[tuple[str, str | None]], allocation_ids: list[int]) -> int:
    """Learn payer IBAN → customer and name aliases from confirmed (line, invoice) pairs.

    Returns the number of new IBANs and aliases.
    """
    now = _now()
    added = 0
    for (tid, iid), alloc_id in zip(pairs, allocation_ids, strict=True):
        if iid is None:
            continue
        tx = conn.execute(
            select(t.transactions.c.counterparty_iban, t.transactions.c.counterparty_name).where(
                t.transactions.c.transaction_id == tid
            )
        ).first()
        cust = conn.execute(
            select(t.invoices.c.customer_id, t.customers.c.name)
            .select_from(
                t.invoices.outerjoin(
                    t.customers, t.customers.c.customer_id == t.invoices.c.customer_id
                )
            )
            .where(t.invoices.c.invoice_id == iid)
        ).first()
        if tx is None or cust is None:
            continue
        cid = cust.customer_id
        iban = "".join(tx.counterparty_iban.split()).upper()
        if iban and len(iban) <= IBAN_LENGTH:  # longer: not an IBAN, not learned
            ib = t.customer_ibans.c
            if not conn.execute(
                select(ib.id).where(ib.customer_id == cid, ib.iban == iban)
            ).first():
                conn.execute(
                    insert(t.customer_ibans).values(
                        customer_id=cid,
                        iban=iban,
                        source="learned",
                        learned_from=alloc_id,
                        created_at=now,
                    )
                )
                added += 1
        alias = " ".join(tx.counterparty_name.split())
        if (
            alias
            and len(alias) <= ALIAS_LENGTH  # longer: not learned (docs/ledger.md)
            and alias.casefold() != (cust.name or "").casefold()
        ):
            al = t.customer_aliases.c
            if not conn.execute(
                select(al.id).where(al.customer_id == cid, al.alias == alias)
            ).first():
                conn.execute(
                    insert(t.customer_aliases).values(
                        customer_id=cid, alias=alias, learned_from=alloc_id, created_at=now
                    )
                )
                added += 1
    return added


def accept(conn: Connection, suggestion_id: int, *, by: str, note: str = "") -> list[int]:
    """Accept a suggestion (and the rest of its group); returns the allocation ids."""
    rows = _group(conn, suggestion_id)
    run = conn.execute(
        select(t.reconcile_runs.c.config, t.reconcile_runs.c.version).where(
            t.reconcile_runs.c.id == rows[0].run_id
        )
    ).one()
    ids = apply_allocations(
        conn,
        [
            {
                "transaction_id": r.transaction_id,
                "invoice_id": r.invoice_id,
                "amount_minor": r.amount_minor,
                "currency": r.currency,
                "kind": r.kind,
                "score": r.score,
                "group_id": r.group_id,
                "explanation": r.explanation,
                "run_id": r.run_id,
                "suggestion_id": r.id,
                "config": run.config,
                "version": run.version,
            }
            for r in rows
        ],
        made_by=by,
        source="accepted",
    )
    _decide(conn, rows, "accepted", by, note)
    learn(conn, [(r.transaction_id, r.invoice_id) for r in rows], ids)
    return ids


def decide_many(
    conn: Connection, suggestion_ids: Iterable[int], decide: Callable[[Connection, int], R]
) -> list[R]:
    """Apply ``decide`` (:func:`accept` or :func:`reject` with its options bound) to each id, in
    the caller's transaction; an id whose group an earlier id already decided is skipped."""
    done: set[int] = set()
    out: list[R] = []
    for sid in dict.fromkeys(int(i) for i in suggestion_ids):
        if sid in done:
            continue
        done.update(int(r.id) for r in _group(conn, sid))
        out.append(decide(conn, sid))
    return out


def reject(conn: Connection, suggestion_id: int, *, by: str, note: str = "") -> int:
    """Reject a suggestion (and the rest of its group); returns the number of rows rejected."""
    rows = _group(conn, suggestion_id)
    _decide(conn, rows, "rejected", by, note)
    return len(rows)


def allocate(
    conn: Connection,
    transaction_id: str,
    invoice_id: str | None,
    amount: Decimal,
    *,
    by: str,
    note: str = "",
) -> int:
    """A manual allocation (``source="manual"``); the payer is learned as for an acceptance."""
    tx = conn.execute(
        select(t.transactions.c.currency).where(t.transactions.c.transaction_id == transaction_id)
    ).first()
    if tx is None:
        raise NotFoundError(f"no payment line {transaction_id!r}", hint="see `status`/`export`")
    if invoice_id is not None:
        inv = conn.execute(
            select(t.invoices.c.currency).where(t.invoices.c.invoice_id == invoice_id)
        ).first()
        if inv is None:
            raise NotFoundError(f"no invoice {invoice_id!r}", hint="import the invoices first")
        if inv.currency != tx.currency:
            raise LedgerError(
                f"line is in {tx.currency}, invoice in {inv.currency}",
                hint="allocate within one currency",
            )
    try:
        minor = to_minor(Decimal(amount), tx.currency)
    except ValueError as exc:
        raise LedgerError(f"amount {amount}: {exc}") from None
    ids = apply_allocations(
        conn,
        [
            {
                "transaction_id": transaction_id,
                "invoice_id": invoice_id,
                "amount_minor": minor,
                "currency": tx.currency,
                "kind": "manual" if invoice_id else "overpayment",
                "score": None,
                "group_id": None,
                "explanation": note,
                "run_id": None,
                "suggestion_id": None,
                "config": "{}",
                "version": "",
            }
        ],
        made_by=by,
        source="manual",
    )
    learn(conn, [(transaction_id, invoice_id)], ids)
    return ids[0]
