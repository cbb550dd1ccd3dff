"""New evidence between reconcile runs: a re-run is never more confident than the run before.

Once a run has settled part of the book, the lines it left (suggested or unmatched) look
unique to the matcher: their rivals are gone, so an elimination reads as certainty. But nothing
was learned about those lines; a payment may well have been meant for an invoice that is
already paid. So the ledger remembers, for every booked line, what the last run made of it, and
which lines, invoices and decisions each run had seen. A proposal of a later run is taken as the
matcher gives it only when it rests on something the earlier run did not have:

* a line or an invoice that no run has seen yet (imported, or an invoice changed, since);
* a decision since the last run (an accepted or rejected suggestion, a manual allocation) on one
  of its lines, or on an invoice of the same customer (a person settled a rivalry, taught a
  payer's IBAN or name).

Otherwise the proposal is *held*: an automatic allocation of a line that was a suggestion
becomes a suggestion again (with a ``held`` note in its explanation), and any proposal of a
line that the last run left unmatched is dropped. A refusal or a suggestion stays one until new
evidence arrives; lines and invoices that are new are matched exactly as in a first run.

The state lives in three columns (``transactions.seen_run``, ``transactions.last_outcome``,
``invoices.seen_run``) and in ``reconcile_runs.decision_mark`` / ``allocation_mark`` (the last
decision and allocation ids the run had seen), added by schema migration 3.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Integer, String, func, inspect, select, text, update
from sqlalchemy.engine import Inspector

from rapprochement.store import schema as t

__all__ = [
    "HELD_FEATURE",
    "Evidence",
    "add_evidence_columns",
    "hold",
    "load_evidence",
    "record_evidence",
]

#: The ``feature`` of the explanation row added to a held suggestion.
HELD_FEATURE = "held"


@dataclass
class Evidence:
    """What is new since the previous run, for the lines and invoices of this one."""

    previous_run: int | None
    #: Lines no run has seen yet.
    new_lines: set[str] = field(default_factory=set)
    #: Invoices no run has seen yet (new, or changed by an import since).
    new_invoices: set[str] = field(default_factory=set)
    #: Lines and customers that a decision since the previous run concerns.
    decided_lines: set[str] = field(default_factory=set)
    decided_customers: set[str] = field(default_factory=set)
    #: What the previous run made of each line it saw: "suggested" or "unmatched".
    last_outcome: dict[str, str] = field(default_factory=dict)
    #: The first run that saw each line.
    seen_run: dict[str, int] = field(default_factory=dict)
    #: New lines that repeat a line an earlier run allocated (same payer, amount and text,
    #: booked within ``TWIN_DAYS`` after it) → that line: a possible duplicate payment.
    repeats: dict[str, str] = field(default_factory=dict)
    #: Customer of each invoice of this run.
    customer_of: dict[str, str] = field(default_factory=dict)

    def is_new(self, lines: set[str], invoices: set[str]) -> bool:
        """Does a proposal over these lines and invoices rest on anything new?"""
        if self.previous_run is None:
            return True
        if lines & (self.new_lines | self.decided_lines) or invoices & self.new_invoices:
            return True
        customers = {self.customer_of.get(i, "") for i in invoices}
        return bool(customers & self.decided_customers)


def _previous_run(conn: Connection) -> Any:
    r = t.reconcile_runs.c
    q = (
        select(r.id, r.decision_mark, r.allocation_mark, r.undo_mark)
        .where(r.finished_at.is_not(None))
        .order_by(r.id.desc())
        .limit(1)
    )
    return conn.execute(q).first()


def load_evidence(conn: Connection, tx_ids: list[str], inv: dict[str, str]) -> Evidence:
    """The evidence for a run over the lines ``tx_ids`` and the invoices ``inv`` (id → customer)."""
    prev = _previous_run(conn)
    ev = Evidence(previous_run=None if prev is None else int(prev.id), customer_of=inv)
    if prev is None:
        return ev
    c, i = t.transactions.c, t.invoices.c
    wanted = set(tx_ids)
    q = select(c.transaction_id, c.seen_run, c.last_outcome).where(
        c.status == "booked", c.amount_minor != c.allocated_minor
    )
    for tid, seen, outcome in conn.execute(q):
        if tid not in wanted:
            continue
        if seen is None:
            ev.new_lines.add(tid)
        else:
            ev.last_outcome[tid] = outcome or "unmatched"
            ev.seen_run[tid] = int(seen)
    ev.new_invoices = {
        iid for (iid,) in conn.execute(select(i.invoice_id).where(i.seen_run.is_(None)))
    } & set(inv)
    d, a = t.decisions.c, t.allocations.c
    touched: list[tuple[str, str | None]] = [
        (r[0], r[1])
        for r in conn.execute(
            select(d.transaction_id, d.invoice_id).where(d.id > (prev.decision_mark or 0))
        )
    ]
    touched += [
        (r[0], r[1])
        for r in conn.execute(
            select(a.transaction_id, a.invoice_id).where(
                a.id > (prev.allocation_mark or 0), a.source != "auto"
            )
        )
    ]
    u = t.undone_allocations.c  # an undo or a return is a person's or the bank's word
    touched += [
        (r[0], r[1])
        for r in conn.execute(
            select(u.transaction_id, u.invoice_id).where(u.id > (prev.undo_mark or 0))
        )
    ]
    ev.decided_lines = {tid for tid, _ in touched}
    ev.repeats = _repeats(conn, ev.new_lines)
    invoice_ids = sorted({iid for _, iid in touched if iid})
    for k in range(0, len(invoice_ids), 500):
        q = select(i.customer_id).where(i.invoice_id.in_(invoice_ids[k : k + 500]))
        ev.decided_customers.update(str(x) for x in conn.execute(q).scalars())
    return ev


TWIN_DAYS = 21  # as the matcher's own twin payments (matching.assignment)


def _repeats(conn: Connection, new_lines: set[str]) -> dict[str, str]:
    """New lines identical to a line already fully allocated (payer IBAN or name, amount,
    currency, text naming something: a digit in it) and booked at most ``TWIN_DAYS`` after it
    → that line. A payer's regular transfers with a bare text are no such repeat."""
    if not new_lines:
        return {}
    c = t.transactions.c
    cols = (c.transaction_id, c.booking_date, c.amount_minor, c.currency, c.counterparty_iban,
            c.counterparty_name, c.remittance_info)  # fmt: skip
    fresh: dict[tuple[Any, ...], list[tuple[str, Any]]] = {}
    ids = sorted(new_lines)
    for k in range(0, len(ids), 500):
        for r in conn.execute(select(*cols).where(c.transaction_id.in_(ids[k : k + 500]))):
            if not any(ch.isdigit() for ch in r.remittance_info or ""):
                continue
            fresh.setdefault(_payment_key(r), []).append((r.transaction_id, r.booking_date))
    out: dict[str, str] = {}
    amounts = sorted({key[0] for key in fresh})
    for k in range(0, len(amounts), 500):
        q = select(*cols).where(
            c.amount_minor.in_(amounts[k : k + 500]),
            c.allocated_minor == c.amount_minor,
            c.amount_minor > 0,
        )
        for r in conn.execute(q):
            for tid, day in fresh.get(_payment_key(r), ()):
                if (
                    day
                    and r.booking_date
                    and 0 <= (_day(day) - _day(r.booking_date)).days <= TWIN_DAYS
                ):
                    out.setdefault(tid, r.transaction_id)
    return out


def _payment_key(r: Any) -> tuple[Any, ...]:
    """What two payments share when one repeats the other: amount, currency, payer, text."""
    return (
        r.amount_minor,
        r.currency,
        r.counterparty_iban or r.counterparty_name,
        r.remittance_info,
    )


def _day(v: Any) -> dt.date:
    return dt.date.fromisoformat(v[:10]) if isinstance(v, str) else v


def _named(row: dict[str, Any]) -> bool:
    """Does the proposal rest on a reference (its explanation's ``reference`` level)?"""
    try:
        rows = json.loads(str(row.get("explanation") or "[]"))
    except ValueError:
        return False
    return isinstance(rows, list) and any(
        isinstance(c, dict) and c.get("feature") == "reference" and c.get("value") != "none"
        for c in rows
    )


def _held_explanation(explanation: str, since: int | None) -> str:
    return _note(
        explanation, f"not automatic: nothing new since run {since} left this line to review"
    )


def _note(explanation: str, value: str) -> str:
    note = {"feature": HELD_FEATURE, "value": value, "weight": 0.0}
    try:
        rows = json.loads(explanation) if explanation else []
    except ValueError:
        rows = None
    if not isinstance(rows, list):
        return f"{explanation} [{note['value']}]".strip()
    return json.dumps([*rows, note])


def hold(ev: Evidence, group: list[dict[str, Any]], auto: bool) -> tuple[str, list[dict[str, Any]]]:
    """What to do with one proposed group: ``("keep", rows)`` as the matcher said,
    ``("suggest", rows)`` an automatic group held back as a suggestion, or ``("drop", [])``.
    """
    lines = {str(r["transaction_id"]) for r in group}
    invoices = {str(r["invoice_id"]) for r in group if r["invoice_id"] is not None}
    twin = next((ev.repeats[x] for x in sorted(lines) if x in ev.repeats), None)
    if auto and twin is not None and not any(_named(r) for r in group):
        # the matcher cannot see a payment an earlier run settled: this one may repeat it
        note = f"repeats line {twin}, allocated by an earlier run: a possible duplicate payment"
        return "suggest", [
            {**r, "explanation": _note(str(r.get("explanation") or ""), note)} for r in group
        ]
    if ev.is_new(lines, invoices):
        return "keep", group
    if not any(ev.last_outcome.get(x) == "suggested" for x in lines):
        return "drop", []
    if not auto:
        return "keep", group
    since = min((ev.seen_run[x] for x in lines if x in ev.seen_run), default=ev.previous_run)
    rows = [
        {**r, "explanation": _held_explanation(str(r.get("explanation") or ""), since)}
        for r in group
    ]
    return "suggest", rows


def record_evidence(
    conn: Connection,
    run_id: int,
    tx_ids: list[str],
    suggested: set[str],
) -> None:
    """After a run: what it made of each line it saw, and that it saw them and every invoice."""
    c, i = t.transactions.c, t.invoices.c
    for k in range(0, len(tx_ids), 500):
        chunk = tx_ids[k : k + 500]
        for outcome, ids in (
            ("suggested", [x for x in chunk if x in suggested]),
            ("unmatched", [x for x in chunk if x not in suggested]),
        ):
            if ids:
                conn.execute(
                    update(t.transactions)
                    .where(c.transaction_id.in_(ids))
                    .values(seen_run=func.coalesce(c.seen_run, run_id), last_outcome=outcome)
                )
    conn.execute(update(t.invoices).where(i.seen_run.is_(None)).values(seen_run=run_id))
    conn.execute(
        update(t.reconcile_runs).where(t.reconcile_runs.c.id == run_id).values(**_marks(conn))
    )


def _marks(conn: Connection) -> dict[str, int]:
    """The last decision, allocation and undo ids: evidence after them is new to a later run."""
    ids = (
        ("decision_mark", t.decisions.c.id),
        ("allocation_mark", t.allocations.c.id),
        ("undo_mark", t.undone_allocations.c.id),
    )
    out = {}
    for name, col in ids:
        exists = inspect(conn).has_table(col.table.name)
        out[name] = int(conn.execute(select(func.max(col))).scalar() or 0) if exists else 0
    return out


def add_evidence_columns(conn: Connection) -> None:
    """Schema migration 3: the evidence columns, filled as if the last run had set them (every
    line and invoice of an older ledger was seen by its last run, if it had one)."""
    insp: Inspector = inspect(conn)
    new_columns: dict[str, list[Column[Any]]] = {
        "transactions": [Column("seen_run", Integer), Column("last_outcome", String(12))],
        "invoices": [Column("seen_run", Integer)],
        "reconcile_runs": [
            Column("decision_mark", Integer),
            Column("allocation_mark", Integer),
            Column("undo_mark", Integer),
        ],
    }
    for table, columns in new_columns.items():
        have = {str(col["name"]) for col in insp.get_columns(table)}
        for col in columns:
            if col.name not in have:
                kind = col.type.compile(dialect=conn.dialect)
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {col.name} {kind}"))
    r = t.reconcile_runs.c
    last = conn.execute(select(func.max(r.id))).scalar()
    if last is None:
        return
    s = t.suggestions.c
    pending = select(s.transaction_id).where(s.state == "pending")
    c = t.transactions.c
    conn.execute(
        update(t.transactions)
        .where(c.seen_run.is_(None))
        .values(seen_run=last, last_outcome="unmatched")
    )
    conn.execute(
        update(t.transactions).where(c.transaction_id.in_(pending)).values(last_outcome="suggested")
    )
    conn.execute(update(t.invoices).where(t.invoices.c.seen_run.is_(None)).values(seen_run=last))
    conn.execute(update(t.reconcile_runs).where(r.id == last).values(**_marks(conn)))
