"""Returns, rejects and reversals in the ledger: recognized, linked to the payment they return,
its allocations reversed and its invoices reopened.

A line with a strong return signal (see :mod:`rapprochement.rules.returns`) is recorded as a
return even before its original is known (it is never offered to invoices); each later import
or reconcile tries to link it again, so the order files arrive in does not matter. A line with
only a ``RETOUR``/``REJET`` text is a return when it links. Linking reverses the original's
allocations (kept in ``undone_allocations`` with the reason), which reopens its invoices with
their open amount; both lines then stay out of matching.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from rapprochement.money import from_minor, to_minor
from rapprochement.rules.links import LinkLine, link_returns
from rapprochement.rules.match import LineFacts
from rapprochement.rules.returns import ReturnSignal, reason_text, return_signal
from rapprochement.store import schema as t
from rapprochement.store.undo import reverse_allocations

__all__ = ["detect_returns", "returns_frame"]

_CHUNK = 500


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _link_lines(conn: Connection, where: Any) -> list[LinkLine]:
    x, a, d = t.transactions.c, t.allocations.c, t.line_details.c
    rows = list(
        conn.execute(
            select(
                x.transaction_id, x.amount_minor, x.currency, x.booking_date, x.end_to_end_id,
                x.counterparty_iban, x.counterparty_name, x.remittance_info, d.entry_text,
            )
            .select_from(
                t.transactions.outerjoin(t.line_details, d.transaction_id == x.transaction_id)
            )
            .where(x.status == "booked", where)
        )
    )  # fmt: skip
    invoices: dict[str, set[str]] = defaultdict(set)
    ids = [r.transaction_id for r in rows]
    for i in range(0, len(ids), _CHUNK):
        q = select(a.transaction_id, a.invoice_id).where(
            a.transaction_id.in_(ids[i : i + _CHUNK]), a.invoice_id.is_not(None)
        )
        for tid, iid in conn.execute(q):
            invoices[tid].add(iid)
    return [
        LinkLine(
            transaction_id=r.transaction_id,
            amount=from_minor(r.amount_minor, r.currency),
            currency=r.currency,
            booking_date=r.booking_date,
            end_to_end_id=r.end_to_end_id,
            counterparty_iban=r.counterparty_iban,
            counterparty_name=r.counterparty_name,
            text=" ".join(p for p in (r.remittance_info, r.entry_text or "") if p),
            invoices=tuple(sorted(invoices[r.transaction_id])),
        )
        for r in rows
    ]


def _originals(conn: Connection, returns: list[LinkLine]) -> list[LinkLine]:
    """Lines that could be the originals: opposite amount, not a return, not returned."""
    x, r = t.transactions.c, t.line_returns.c
    wanted = sorted({-to_minor(x_.amount, x_.currency) for x_ in returns})
    out: list[LinkLine] = []
    for i in range(0, len(wanted), _CHUNK):
        out += _link_lines(
            conn,
            x.amount_minor.in_(wanted[i : i + _CHUNK])
            & x.transaction_id.not_in(select(r.transaction_id))
            & x.transaction_id.not_in(select(r.original_id).where(r.original_id.is_not(None))),
        )
    return out


def detect_returns(
    conn: Connection, facts: list[LineFacts], *, by: str, retry_unlinked: bool = True
) -> tuple[list[str], int, list[str]]:
    """Record new returns among ``facts`` (open lines), link them and (with
    ``retry_unlinked``) the returns still unlinked to their originals, reverse the originals'
    allocations; returns (new return ids, links made, invoices reopened).

    The originals are looked up in the whole ledger, so one retry of the unlinked returns per
    run is enough: :func:`~rapprochement.store.lines.apply_line_rules` asks for it on its first
    page only (asking on every page made an import quadratic in its returns)."""
    signals: dict[str, ReturnSignal] = {}
    for f in facts:
        sig = return_signal(f)
        if sig is not None:
            signals[f.transaction_id] = sig
    r = t.line_returns.c
    pending: set[str] = set()
    if retry_unlinked:
        unlinked = select(r.transaction_id).where(r.original_id.is_(None))
        pending = set(conn.execute(unlinked).scalars())
    todo = sorted(set(signals) | pending)
    if not todo:
        return [], 0, []
    x = t.transactions.c
    returns: list[LinkLine] = []
    for i in range(0, len(todo), _CHUNK):
        returns += _link_lines(conn, x.transaction_id.in_(todo[i : i + _CHUNK]))
    links = {k.return_id: k for k in link_returns(returns, _originals(conn, returns))}
    now = _now()
    new: list[str] = []
    for tid in sorted(signals):
        sig = signals[tid]
        if not sig.strong and tid not in links:
            continue  # a "retour" text alone, with nothing it returns: an ordinary line
        new.append(tid)
        conn.execute(
            insert(t.line_returns).values(
                transaction_id=tid,
                original_id=None,
                reason_code=sig.reason_code[:40],
                signals=sig.describe(),
                evidence="",
                invoices="[]",
                created_at=now,
            )
        )
    reopened: set[str] = set()
    for tid, link in sorted(links.items()):
        if tid not in new and tid not in pending:
            continue
        code = conn.execute(select(r.reason_code).where(r.transaction_id == tid)).scalar() or ""
        a = t.allocations.c
        rows = list(conn.execute(select(t.allocations).where(a.transaction_id == link.original_id)))
        why = f"returned by line {tid}" + (f": {reason_text(code)}" if code else "")
        invoices = reverse_allocations(conn, rows, by=by, kind="return", reason=why)
        reopened.update(invoices)
        conn.execute(
            update(t.line_returns)
            .where(r.transaction_id == tid)
            .values(
                original_id=link.original_id,
                evidence=link.evidence,
                invoices=json.dumps(invoices),
                linked_at=now,
            )
        )
        conn.execute(
            update(t.suggestions)
            .where(
                t.suggestions.c.state == "pending",
                t.suggestions.c.transaction_id.in_([tid, link.original_id]),
            )
            .values(state="superseded")
        )
    return new, len([k for k in links if k in new or k in pending]), sorted(reopened)


def returns_frame(conn: Connection) -> pd.DataFrame:
    """Every return: ``transaction_id, booking_date, amount, currency, counterparty_name,
    original_id, reason_code, reason, signals, evidence, invoices`` (invoices reopened, a list),
    ``customer_ids`` (the customers of those invoices)."""
    r, x, i = t.line_returns.c, t.transactions.c, t.invoices.c
    q = (
        select(t.line_returns, x.booking_date, x.amount_minor, x.currency, x.counterparty_name)
        .select_from(t.line_returns.join(t.transactions, x.transaction_id == r.transaction_id))
        .order_by(x.booking_date, r.transaction_id)
    )
    customers = dict(conn.execute(select(i.invoice_id, i.customer_id)).all())
    rows = []
    for row in conn.execute(q):
        invoices = json.loads(row.invoices)
        rows.append(
            {
                "transaction_id": row.transaction_id,
                "booking_date": row.booking_date,
                "amount": from_minor(row.amount_minor, row.currency),
                "currency": row.currency,
                "counterparty_name": row.counterparty_name,
                "original_id": row.original_id,
                "reason_code": row.reason_code,
                "reason": reason_text(row.reason_code),
                "signals": row.signals,
                "evidence": row.evidence,
                "invoices": invoices,
                "customer_ids": sorted({customers[v] for v in invoices if v in customers}),
            }
        )
    cols = [
        "transaction_id", "booking_date", "amount", "currency", "counterparty_name",
        "original_id", "reason_code", "reason", "signals", "evidence", "invoices", "customer_ids",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols, dtype=object)
