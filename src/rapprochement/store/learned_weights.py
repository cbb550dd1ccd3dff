"""What a ledger learned from its decisions: the adjustments of the shipped scores (schema 9).

::

    decisions (accepted, rejected) ─┐
    undone_allocations (by a person)┴─> learned_weights   one row per fit or reset

Each reconcile (learning on) gathers the ledger's labeled allocations since the last reset:
accepted suggestions are right; rejected suggestions and allocations a person undid are wrong
(an accepted one undone counts once, as wrong). Their feature levels come from the stored
explanations. Automatic allocations a person undid are fitted apart, against the automatic
allocations still standing (schema 10, ``auto_adjustments``): the shipped scores make them
automatic, and what is learned there only ever lowers a score (ADR 0018). When that set
changed since the last fit (a new decision, an undo, other shipped weights),
:func:`~rapprochement.matching.learning.fit_adjustments` refits and a row records the
adjustments with their provenance; otherwise the last row's are used. A reset
records the marks it was made at: only later decisions are learned from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    Integer,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)

from rapprochement.matching.learning import (
    PRIOR_SD,
    describe,
    fit_adjustments,
    learned_weights,
    levels_of,
)
from rapprochement.matching.scoring import Weights
from rapprochement.store import schema as t
from rapprochement.store.columns import LedgerText

__all__ = [
    "add_auto_adjustments",
    "auto_training_set",
    "create_learning_table",
    "learned_weights_table",
    "learning_status",
    "refresh",
    "reset",
    "training_set",
]

learned_weights_table = Table(
    "learned_weights",
    t.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", LedgerText(8), nullable=False),  # fit | reset
    Column("created_at", DateTime, nullable=False),
    Column("made_by", LedgerText(), nullable=False),
    # the last decision and undo ids it saw (a reset: only later ones are learned from)
    Column("decision_mark", Integer, nullable=False),
    Column("undo_mark", Integer, nullable=False),
    Column("accepted", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("undone", Integer, nullable=False, default=0),
    Column("base", LedgerText(64), nullable=False, default=""),  # digest of the shipped scores
    Column("prior_sd", Float, nullable=False),  # a model parameter, not money
    Column("adjustments", LedgerText(), nullable=False, default="{}"),  # JSON
    # schema 10: the automatic band's adjustments (undone automatic allocations), JSON
    Column("auto_adjustments", LedgerText(), nullable=True),
)


def create_learning_table(conn: Connection) -> None:
    """Schema migration 9: the table of this module."""
    learned_weights_table.create(conn, checkfirst=True)


def add_auto_adjustments(conn: Connection) -> None:
    """Schema migration 10: the ``auto_adjustments`` column (empty for the fits before it)."""
    have = {str(c["name"]) for c in inspect(conn).get_columns("learned_weights")}
    if "auto_adjustments" not in have:
        conn.execute(text("ALTER TABLE learned_weights ADD COLUMN auto_adjustments TEXT"))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _digest(base: Weights) -> str:
    doc = {"prior": base.prior, "weights": base.weights, "calibration": base.calibration}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _last(conn: Connection, kind: str | None = None) -> Any:
    c = learned_weights_table.c
    q = select(learned_weights_table).order_by(c.id.desc()).limit(1)
    if kind is not None:
        q = q.where(c.kind == kind)
    return conn.execute(q).first()


def _marks(conn: Connection) -> tuple[int, int]:
    d = conn.execute(select(func.max(t.decisions.c.id))).scalar()
    u = conn.execute(select(func.max(t.undone_allocations.c.id))).scalar()
    return int(d or 0), int(u or 0)


def training_set(conn: Connection, since: tuple[int, int] = (0, 0)) -> list[dict[str, Any]]:
    """The labeled allocations after the marks ``since`` (decision id, undo id), oldest first:
    ``levels`` (feature → level), ``right`` and ``source`` (accepted, rejected, undone). A
    grouped suggestion decided as one counts once; an accepted allocation later undone by a
    person counts once, as wrong."""
    d, s, u = t.decisions.c, t.suggestions.c, t.undone_allocations.c
    undone: dict[tuple[Any, ...], dict[str, Any]] = {}
    undone_pairs: set[tuple[str, str | None]] = set()
    q = (
        select(u.id, u.transaction_id, u.invoice_id, u.group_id, u.run_id, u.source, u.explanation)
        .where(u.id > since[1], u.undo_kind == "undo", u.source.in_(("auto", "accepted")))
        .order_by(u.id)
    )
    for r in conn.execute(q):
        undone_pairs.add((r.transaction_id, r.invoice_id))
        levels = levels_of(r.explanation)
        ukey = ("u", r.run_id, r.transaction_id, r.group_id or r.invoice_id)
        if levels is not None and ukey not in undone:
            undone[ukey] = {"levels": levels, "right": False, "source": "undone"}
    decided: dict[tuple[Any, ...], dict[str, Any]] = {}
    q2 = (
        select(
            d.decision, d.transaction_id, d.invoice_id, s.id, s.run_id, s.group_id, s.explanation
        )
        .select_from(t.decisions.join(t.suggestions, s.id == d.suggestion_id))
        .where(d.id > since[0], d.decision.in_(("accepted", "rejected")))
        .order_by(d.id)
    )
    for r in conn.execute(q2):
        key: tuple[Any, ...] = (
            ("g", r.run_id, r.group_id) if r.group_id is not None else ("s", r.id)
        )
        if key in decided:
            continue
        levels = levels_of(r.explanation)
        if levels is None:
            continue
        accepted = r.decision == "accepted"
        if accepted and (r.transaction_id, r.invoice_id) in undone_pairs:
            continue  # accepted, then undone: the undo is the last word
        decided[key] = {"levels": levels, "right": accepted, "source": r.decision}
    return [*decided.values(), *undone.values()]


def auto_training_set(conn: Connection, since: int = 0) -> list[dict[str, Any]]:
    """The automatic allocations, labeled, for the automatic band's fit: each one a person
    undid after the undo mark ``since`` is wrong, each one still standing is right (a weak
    label: nobody said it was wrong). A grouped allocation counts once. Empty when no
    automatic allocation was undone since ``since``: then there is nothing to fit."""
    u, a = t.undone_allocations.c, t.allocations.c
    wrong: dict[tuple[Any, ...], dict[str, Any]] = {}
    q = (
        select(u.run_id, u.transaction_id, u.invoice_id, u.group_id, u.explanation)
        .where(u.id > since, u.undo_kind == "undo", u.source == "auto")
        .order_by(u.id)
    )
    for r in conn.execute(q):
        levels = levels_of(r.explanation)
        key = (r.run_id, r.transaction_id, r.group_id or r.invoice_id)
        if levels is not None and key not in wrong:
            wrong[key] = {"levels": levels, "right": False, "source": "undone"}
    if not wrong:
        return []
    kept: dict[tuple[Any, ...], dict[str, Any]] = {}
    q2 = (
        select(a.run_id, a.transaction_id, a.invoice_id, a.group_id, a.explanation)
        .where(a.source == "auto")
        .order_by(a.id)
    )
    for r in conn.execute(q2):
        key = (r.run_id, r.transaction_id, r.group_id or r.invoice_id)
        if key in kept:
            continue
        levels = levels_of(r.explanation)
        if levels is not None:
            kept[key] = {"levels": levels, "right": True, "source": "kept"}
    return [*wrong.values(), *kept.values()]


def refresh(conn: Connection, base: Weights, *, by: str) -> Weights | None:
    """The weights this ledger reconciles with: ``base`` plus what its decisions since the last
    reset taught, refitted (and recorded) when they changed; None when there is nothing to
    learn from."""
    since_row = _last(conn, "reset")
    since = (since_row.decision_mark, since_row.undo_mark) if since_row is not None else (0, 0)
    marks = _marks(conn)
    last = _last(conn)
    digest = _digest(base)
    if (
        last is not None
        and last.kind == "fit"
        and (last.decision_mark, last.undo_mark) == marks
        and last.base == digest
        and last.prior_sd == PRIOR_SD
    ):
        return _weights(base, last)
    if marks == since:
        return None
    examples = training_set(conn, since)
    if not examples:
        return None
    adjustments = fit_adjustments(
        base, [e["levels"] for e in examples], [e["right"] for e in examples], prior_sd=PRIOR_SD
    )
    auto = auto_training_set(conn, since[1])
    auto_adjustments = fit_adjustments(
        base,
        [e["levels"] for e in auto],
        [e["right"] for e in auto],
        prior_sd=PRIOR_SD,
        band="auto",
    )
    counts = {k: sum(e["source"] == k for e in examples) for k in ("accepted", "rejected")}
    row = {
        "kind": "fit",
        "created_at": _now(),
        "made_by": by,
        "decision_mark": marks[0],
        "undo_mark": marks[1],
        "accepted": counts["accepted"],
        "rejected": counts["rejected"],
        "undone": sum(e["source"] == "undone" for e in examples),
        "base": digest,
        "prior_sd": PRIOR_SD,
        "adjustments": json.dumps(adjustments, sort_keys=True),
        "auto_adjustments": json.dumps(auto_adjustments, sort_keys=True),
    }
    conn.execute(insert(learned_weights_table).values(**row))
    return _weights(base, _last(conn))


def _weights(base: Weights, row: Any) -> Weights:
    auto = json.loads(row.auto_adjustments or "{}")
    return learned_weights(base, json.loads(row.adjustments), _provenance(row), auto)


def _provenance(row: Any) -> dict[str, Any]:
    return {
        "decisions": int(row.accepted + row.rejected + row.undone),
        "accepted": int(row.accepted),
        "rejected": int(row.rejected),
        "undone": int(row.undone),
        "fitted_at": row.created_at.isoformat(timespec="seconds"),
        "prior_sd": float(row.prior_sd),
    }


def reset(conn: Connection, *, by: str) -> int:
    """Forget what was learned: later reconciles use the shipped scores until new decisions;
    the decisions so far are never learned from again. Returns the decisions forgotten."""
    last = _last(conn)
    forgotten = 0 if last is None or last.kind != "fit" else last.accepted + last.rejected
    d, u = _marks(conn)
    conn.execute(
        insert(learned_weights_table).values(
            kind="reset",
            created_at=_now(),
            made_by=by,
            decision_mark=d,
            undo_mark=u,
            prior_sd=PRIOR_SD,
            adjustments="{}",
        )
    )
    return int(forgotten + (0 if last is None or last.kind != "fit" else last.undone))


def learning_status(conn: Connection) -> dict[str, Any]:
    """What the ledger learned: ``state`` (``shipped``, ``learned`` or ``reset``), the
    provenance of the last fit, decisions since it, and its largest adjustments."""
    last = _last(conn)
    marks = _marks(conn)
    out: dict[str, Any] = {"state": "shipped", "prior_sd": PRIOR_SD}
    if last is None:
        out["new_decisions"] = marks[0]
        return out
    out["new_decisions"] = marks[0] - last.decision_mark
    if last.kind == "reset":
        out.update(state="reset", reset_at=last.created_at.isoformat(timespec="seconds"),
                   reset_by=last.made_by)  # fmt: skip
        return out
    adjustments = json.loads(last.adjustments)
    auto = json.loads(last.auto_adjustments or "{}")
    out.update(
        state="learned",
        **_provenance(last),
        fitted_by=last.made_by,
        adjustments=adjustments,
        largest=describe(adjustments),
        auto_adjustments=auto,
        largest_auto=describe(auto),
    )
    return out
