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
from sqlalchemy import Connection, insert, select, update

from rapprochement.errors import LedgerError
from rapprochement.money import from_minor, to_minor
from rapprochement.store import schema as t
from rapprochement.store.allocate import apply_allocations
from rapprochement.store.evidence import hold, load_evidence, record_evidence
from rapprochement.store.open_items import (
    count_undated,
    load_known_payers,
    load_open_invoices,
    load_open_transactions,
)
from rapprochement.store.remittances import stated_remittances
from rapprochement.store.summaries import ReconcileSummary
from rapprochement.store.undo import live_rejections

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
