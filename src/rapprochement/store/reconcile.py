"""Reconcile through the ledger: open lines + open invoices + learned payers → the matcher →
automatic allocations applied, suggestions queued. Runs inside one write transaction (the
caller holds the ledger lock), so two runs started at once are serialized: the second sees what
the first allocated and never allocates the same money twice.

A pair a person rejected is never proposed or applied again: the matcher's rows for it (and the
rest of its group) are dropped and counted in ``skipped_rejected``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection, bindparam, func, insert, select, update

from rapprochement.errors import LedgerError
from rapprochement.money import from_minor, to_minor
from rapprochement.store import schema as t
from rapprochement.store.evidence import hold, load_evidence, record_evidence
from rapprochement.store.lines import excluded_lines
from rapprochement.store.remittances import stated_remittances
from rapprochement.store.summaries import ReconcileSummary
from rapprochement.store.undo import live_rejections
from rapprochement.store.write_offs import write_offs

__all__ = [
    "Matcher",
    "apply_allocations",
    "count_undated",
    "default_matcher",
    "load_known_payers",
    "load_open_invoices",
    "load_open_transactions",
    "run_reconcile",
]

Matcher = Callable[..., Any]
Stage = Callable[[str], None]


def default_matcher() -> Matcher:
    """``rapprochement.reconcile`` (the matching engine)."""
    import rapprochement

    public: Matcher | None = getattr(rapprochement, "reconcile", None)
    if public is not None:
        return public
    try:
        from rapprochement.matching.engine import reconcile as engine

        return engine
    except ImportError as exc:  # pragma: no cover - only while the engine is being written
        raise LedgerError(
            f"the matching engine is not available ({exc})",
            hint="pass matcher= to Ledger.reconcile",
        ) from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def load_open_transactions(conn: Connection, as_of: dt.date | None = None) -> pd.DataFrame:
    """Booked payment lines with an unallocated remainder (``amount`` = the remainder).

    A line the bank gave no booking date (an MT940 ``:61:`` without its optional entry date) is
    dated by its value date, as its fingerprint is; a line with neither date cannot be matched
    and is left out (see :func:`count_undated`).
    """
    c = t.transactions.c
    day = func.coalesce(c.booking_date, c.value_date)
    q = select(
        c.transaction_id,
        day.label("day"),
        c.value_date,
        c.amount_minor,
        c.allocated_minor,
        c.currency,
        c.counterparty_name,
        c.counterparty_iban,
        c.remittance_info,
        c.structured_reference,
        c.end_to_end_id,
    ).where(c.status == "booked", c.amount_minor != c.allocated_minor, day.is_not(None))
    # categorized lines, returns and the payments they return are never offered to invoices
    q = q.where(c.transaction_id.not_in(excluded_lines()))
    if as_of is not None:
        q = q.where(day <= as_of)
    rows = [
        {
            "transaction_id": r.transaction_id,
            "booking_date": _as_date(r.day),
            "amount": from_minor(r.amount_minor - r.allocated_minor, r.currency),
            "currency": r.currency,
            "counterparty_name": r.counterparty_name,
            "counterparty_iban": r.counterparty_iban,
            "remittance_info": r.remittance_info,
            "structured_reference": r.structured_reference,
            "end_to_end_id": r.end_to_end_id,
            "value_date": r.value_date,
        }
        for r in conn.execute(q.order_by(c.transaction_id))
    ]
    cols = [
        "transaction_id", "booking_date", "amount", "currency", "counterparty_name",
        "counterparty_iban", "remittance_info", "structured_reference", "end_to_end_id",
        "value_date",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols, dtype=object)


def count_undated(conn: Connection) -> int:
    """Open booked lines with neither a booking nor a value date (never given to the matcher)."""
    c = t.transactions.c
    q = select(func.count()).where(
        c.status == "booked",
        c.amount_minor != c.allocated_minor,
        c.booking_date.is_(None),
        c.value_date.is_(None),
    )
    return int(conn.execute(q).scalar_one())


def _as_date(v: Any) -> dt.date:
    """SQLite returns ``coalesce()`` of two DATE columns as text."""
    if isinstance(v, str):
        return dt.date.fromisoformat(v[:10])
    if isinstance(v, dt.datetime):
        return v.date()
    return v  # type: ignore[no-any-return]


def load_open_invoices(conn: Connection) -> pd.DataFrame:
    """Invoices (and credit notes) with an open amount, with the customer's name."""
    i, cu = t.invoices.c, t.customers.c
    q = (
        select(
            i.invoice_id,
            i.customer_id,
            cu.name,
            i.amount_minor,
            i.base_open_minor,
            i.allocated_minor,
            i.currency,
            i.issue_date,
            i.due_date,
            i.reference,
            i.customer_iban,
        )
        .select_from(t.invoices.outerjoin(t.customers, cu.customer_id == i.customer_id))
        .where(i.base_open_minor != i.allocated_minor)
        .order_by(i.invoice_id)
    )
    rows = [
        {
            "invoice_id": r.invoice_id,
            "customer_id": r.customer_id,
            "customer_name": r.name or "",
            "amount": from_minor(r.amount_minor, r.currency),
            "currency": r.currency,
            "issue_date": r.issue_date,
            "due_date": r.due_date,
            "open_amount": from_minor(r.base_open_minor - r.allocated_minor, r.currency),
            "reference": r.reference,
            "customer_iban": r.customer_iban,
        }
        for r in conn.execute(q)
    ]
    cols = [
        "invoice_id", "customer_id", "customer_name", "amount", "currency", "issue_date",
        "due_date", "open_amount", "reference", "customer_iban",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols, dtype=object)


def load_known_payers(conn: Connection) -> pd.DataFrame:
    """Learned payers for the matcher: ``customer_id, iban, name`` (IBANs and name aliases)."""
    names = {
        r[0]: r[1] for r in conn.execute(select(t.customers.c.customer_id, t.customers.c.name))
    }
    rows: list[dict[str, str]] = []
    ib, al, tx = t.customer_ibans.c, t.allocations.c, t.transactions.c
    # a learned IBAN is named like the line it was learned from: a parent company, a factor
    # or an accountant paying for the customer is a third party, not the customer's account
    q = (
        select(ib.customer_id, ib.iban, tx.counterparty_name)
        .select_from(
            t.customer_ibans.outerjoin(t.allocations, al.id == ib.learned_from).outerjoin(
                t.transactions, tx.transaction_id == al.transaction_id
            )
        )
        .order_by(ib.customer_id, ib.iban)
    )
    for cid, iban, payer in conn.execute(q):
        rows.append({"customer_id": cid, "iban": iban, "name": payer or names.get(cid, "")})
    for cid, alias in conn.execute(
        select(t.customer_aliases.c.customer_id, t.customer_aliases.c.alias).order_by(
            t.customer_aliases.c.customer_id, t.customer_aliases.c.alias
        )
    ):
        rows.append({"customer_id": cid, "iban": "", "name": alias})
    return pd.DataFrame(rows, columns=["customer_id", "iban", "name"], dtype=object)


def _groups(al: pd.DataFrame) -> list[list[dict[str, Any]]]:
    """Allocation rows bundled by group (a row without group_id is its own group)."""
    out: dict[Any, list[dict[str, Any]]] = {}
    records: list[dict[str, Any]] = al.to_dict("records")  # type: ignore[assignment]
    for n, rec in enumerate(records):
        gid = rec.get("group_id")
        key = ("g", str(gid)) if gid is not None and not pd.isna(gid) else ("r", n)
        out.setdefault(key, []).append(rec)
    return list(out.values())


def _text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    return str(v)


def _explanation(v: Any) -> str:
    if v is None or isinstance(v, str):
        return v or ""
    return json.dumps(v, default=str)


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


def _rejected(conn: Connection) -> set[tuple[str, str | None]]:
    d = t.decisions.c
    q = select(d.transaction_id, d.invoice_id).where(d.decision == "rejected")
    return {(r[0], r[1]) for r in conn.execute(q)}


def _accepts_weights(matcher: Matcher) -> bool:
    """Does ``matcher`` take ``weights=`` (the engine does; a custom matcher may not)?"""
    try:
        params = inspect.signature(matcher).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        return False
    return any(p.name == "weights" or p.kind is p.VAR_KEYWORD for p in params)


def run_reconcile(
    conn: Connection,
    matcher: Matcher,
    config: Any,
    as_of: dt.date | None,
    stage: Stage | None = None,
    weights: Any = None,
) -> ReconcileSummary:
    """One reconcile run inside the caller's (locked) write transaction; ``weights``: the
    ledger's learned scores (:mod:`rapprochement.store.learned_weights`), None for the
    shipped ones."""
    t0 = time.perf_counter()
    say = stage or (lambda _s: None)
    say("loading open items")
    tx = load_open_transactions(conn, as_of)
    inv = load_open_invoices(conn)
    payers = load_known_payers(conn)
    name = f"{getattr(matcher, '__module__', '?')}.{getattr(matcher, '__name__', '?')}"
    run_id = conn.execute(
        insert(t.reconcile_runs)
        .values(started_at=_now(), as_of=as_of, matcher=name, version="", config="{}")
        .returning(t.reconcile_runs.c.id)
    ).scalar_one()
    conn.execute(
        update(t.suggestions).where(t.suggestions.c.state == "pending").values(state="superseded")
    )
    rows_auto: list[dict[str, Any]] = []
    rows_sugg: list[dict[str, Any]] = []
    skipped = 0
    held = {"suggest": 0, "drop": 0}
    version, config_json = "", "{}"
    tx_ids = [str(x) for x in tx["transaction_id"]]
    if len(tx) and len(inv):
        say(f"matching {len(tx)} lines against {len(inv)} invoices")
        # what the bank states per invoice (CAMT), and the scores the decisions taught
        extra: dict[str, Any] = dict(stated_remittances(conn, tx_ids))
        if weights is not None and _accepts_weights(matcher):
            extra["weights"] = weights
        result = matcher(tx, inv, customers=payers if len(payers) else None, config=config, **extra)
        version = str(getattr(result, "version", ""))
        cfg = getattr(result, "config", config)
        config_json = cfg.model_dump_json() if hasattr(cfg, "model_dump_json") else "{}"
        rejected = _rejected(conn) | live_rejections(conn)  # decisions, and undone pairs
        evidence = load_evidence(
            conn, tx_ids, dict(zip(inv["invoice_id"], inv["customer_id"], strict=True))
        )
        for proposed in _groups(result.allocations):
            pairs = {(str(r["transaction_id"]), _text(r["invoice_id"])) for r in proposed}
            if pairs & rejected:
                skipped += len(proposed)
                continue
            auto = all(r["status"] == "auto" for r in proposed)
            verdict, group = hold(evidence, proposed, auto)
            if verdict != "keep":
                held[verdict] += len(proposed)
            for r in group:
                ccy = str(r["currency"])
                rec = {
                    "run_id": run_id,
                    "transaction_id": str(r["transaction_id"]),
                    "invoice_id": _text(r["invoice_id"]),
                    "amount_minor": to_minor(Decimal(str(r["amount"])), ccy),
                    "currency": ccy,
                    "kind": str(r.get("kind") or "one_to_one"),
                    "score": None if pd.isna(r.get("score")) else float(r["score"]),
                    "group_id": _text(r.get("group_id")),
                    "explanation": _explanation(r.get("explanation")),
                }
                is_auto = r["status"] == "auto" and verdict == "keep"
                (rows_auto if is_auto else rows_sugg).append(rec)
    say("writing allocations")
    for r in rows_auto:
        r.update(suggestion_id=None, config=config_json, version=version)
    apply_allocations(conn, rows_auto, made_by=f"matcher {version}".strip(), source="auto")
    if rows_sugg:
        now = _now()
        conn.execute(
            insert(t.suggestions), [{**r, "state": "pending", "created_at": now} for r in rows_sugg]
        )
    matched = {r["transaction_id"] for r in rows_auto}
    record_evidence(conn, int(run_id), tx_ids, {r["transaction_id"] for r in rows_sugg})
    amounts: dict[str, int] = defaultdict(int)
    for r in rows_auto:
        amounts[r["currency"]] += r["amount_minor"]
    summary = ReconcileSummary(
        run_id=int(run_id),
        transactions=len(tx),
        invoices=len(inv),
        known_payers=len(payers),
        auto_allocations=len(rows_auto),
        auto_amount={k: str(from_minor(v, k)) for k, v in sorted(amounts.items())},
        suggestions=len(rows_sugg),
        skipped_rejected=skipped,
        held_as_suggestions=held["suggest"],
        held_unmatched=held["drop"],
        undated_transactions=count_undated(conn),
        matched_transactions=len(matched),
        unmatched_transactions=len(tx) - len(matched),
        seconds=round(time.perf_counter() - t0, 3),
        version=version,
        learned_from=int(weights.trained_on.get("learned", {}).get("decisions", 0))
        if weights is not None
        else 0,
    )
    conn.execute(
        update(t.reconcile_runs)
        .where(t.reconcile_runs.c.id == run_id)
        .values(
            finished_at=_now(),
            version=version,
            config=config_json,
            summary=json.dumps(summary.to_dict()),
        )
    )
    return summary
