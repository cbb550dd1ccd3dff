"""The daily work queue: payment lines nobody has matched (with the best candidate and why it
was not enough), one customer's account, and suggestions decided in bulk."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, select

from rapprochement.errors import LedgerError
from rapprochement.money import from_minor
from rapprochement.store import review as _review
from rapprochement.store import schema as t
from rapprochement.store.undo import live_rejections

__all__ = [
    "UNMATCHED_COLUMNS",
    "BulkDecision",
    "bulk_accept",
    "candidates",
    "unmatched_lines",
    "with_withheld",
]

#: Columns of :meth:`Ledger.unmatched <rapprochement.store.Ledger.unmatched>`.
UNMATCHED_COLUMNS = [
    "transaction_id", "booking_date", "days_open", "amount", "currency", "counterparty_name",
    "counterparty_iban", "remittance_info", "candidate_invoice", "candidate_customer",
    "candidate_amount", "score", "threshold", "reason", "suggestion_id", "explanation",
]  # fmt: skip


def unmatched_lines(conn: Connection, open_lines: pd.DataFrame) -> pd.DataFrame:
    """The incoming lines of ``open_lines`` (the matcher's open lines) with no allocation at
    all, oldest first; candidate columns empty (see :func:`candidates`)."""
    x = t.transactions.c
    untouched = {
        r[0]
        for r in conn.execute(
            select(x.transaction_id).where(x.allocated_minor == 0, x.amount_minor > 0)
        )
    }
    df = open_lines[open_lines["transaction_id"].isin(untouched)]
    return df.sort_values(["booking_date", "transaction_id"], kind="stable")


def _pending(conn: Connection) -> dict[str, Any]:
    """Line → its best pending suggestion row."""
    s = t.suggestions.c
    best: dict[str, Any] = {}
    q = select(t.suggestions).where(s.state == "pending").order_by(s.score.desc(), s.id)
    for r in conn.execute(q):
        best.setdefault(r.transaction_id, r)
    return best


def with_withheld(allocations: pd.DataFrame, ambiguous: pd.DataFrame | None) -> pd.DataFrame:
    """The matcher's ``allocations`` and, for each payment ``ambiguous`` lists as withheld
    (``reason`` ``withheld: …``: its only reading not worth a review, left unallocated), a row
    naming that reading's first invoice with no score, ``withheld`` set and the reason as its
    explanation (one zero-weight ``gate`` row)."""
    if ambiguous is None or "reason" not in ambiguous or not len(ambiguous):
        return allocations
    rows = []
    for r in ambiguous.to_dict("records"):
        why = str(r["reason"])
        if not why.startswith("withheld") or not r["alternatives"]:
            continue
        gate = {"feature": "gate", "value": why, "weight": 0.0}
        rows.append({"transaction_id": r["transaction_id"],
                     "invoice_id": r["alternatives"][0][0], "amount": None, "score": None,
                     "explanation": json.dumps([gate]), "withheld": True})  # fmt: skip
    if not rows:
        return allocations
    extra = pd.DataFrame(rows, dtype=object)
    return pd.concat([allocations.astype(object), extra], ignore_index=True)


def candidates(
    conn: Connection,
    lines: pd.DataFrame,
    probe: Callable[[pd.DataFrame], pd.DataFrame],
    threshold: float,
    today: dt.date,
) -> pd.DataFrame:
    """``lines`` with their best candidate: the best pending suggestion when there is one
    (reason ``pending_review``), else the best allocation ``probe`` finds when nothing is held
    back: ``below_threshold`` (its score is under ``threshold``), ``withheld`` (its only reading
    was withheld as not worth a review: :func:`with_withheld`), ``rejected_before`` (a person
    rejected or undid that pair), ``held`` (the ledger held it back: nothing new since the last
    run, or a possible duplicate payment); ``no_candidate`` when nothing fits at all.

    ``explanation`` is the candidate's list of ``{"feature", "value", "weight"}`` contributions.
    """
    pending = _pending(conn)
    d = t.decisions.c
    rejected = live_rejections(conn) | {
        (r[0], r[1])
        for r in conn.execute(
            select(d.transaction_id, d.invoice_id).where(d.decision == "rejected")
        )
    }
    rest = lines[~lines["transaction_id"].isin(pending)]
    probed: dict[str, dict[str, Any]] = {}
    if len(rest):
        for r in probe(rest).sort_values("score", ascending=False).to_dict("records"):
            probed.setdefault(str(r["transaction_id"]), {str(k): v for k, v in r.items()})
    customers = dict(conn.execute(select(t.invoices.c.invoice_id, t.invoices.c.customer_id)).all())
    rows = []
    for r in lines.to_dict("records"):
        tx = str(r["transaction_id"])
        day = r["booking_date"]
        out = {k: r.get(k) for k in UNMATCHED_COLUMNS}
        out["days_open"] = (today - day).days if isinstance(day, dt.date) else None
        out["threshold"] = threshold
        found: Any = None
        if tx in pending:
            p = pending[tx]
            found = {"invoice_id": p.invoice_id, "score": p.score, "explanation": p.explanation,
                     "amount": from_minor(p.amount_minor, p.currency)}  # fmt: skip
            out.update(reason="pending_review", suggestion_id=p.id)
        elif tx in probed:
            found = probed[tx]
            pair = (tx, None if pd.isna(found["invoice_id"]) else str(found["invoice_id"]))
            if found.get("withheld"):
                out["reason"] = "withheld"
            elif pair in rejected:
                out["reason"] = "rejected_before"
            elif found["score"] is not None and float(found["score"]) >= threshold:
                out["reason"] = "held"
            else:
                out["reason"] = "below_threshold"
        else:
            out["reason"] = "no_candidate"
        if found is not None:
            iid = found["invoice_id"]
            out["candidate_invoice"] = None if iid is None or pd.isna(iid) else str(iid)
            out["candidate_customer"] = customers.get(out["candidate_invoice"])
            out["candidate_amount"] = found["amount"]
            score = found["score"]
            out["score"] = None if score is None or pd.isna(score) else float(score)
            text = found["explanation"]
            out["explanation"] = json.loads(text) if isinstance(text, str) and text else []
        else:
            out["explanation"] = []
        rows.append(out)
    return pd.DataFrame(rows, columns=UNMATCHED_COLUMNS, dtype=object)


@dataclass(frozen=True)
class BulkDecision:
    """What :meth:`Ledger.accept_above <rapprochement.store.Ledger.accept_above>` did.

    Attributes:
        accepted: suggestion ids accepted (one per group) → allocation ids made.
        skipped: suggestion ids left pending → why (the money is no longer available…).
    """

    accepted: dict[int, list[int]] = field(default_factory=dict)
    skipped: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return {"accepted": self.accepted, "skipped": self.skipped}


def bulk_accept(
    conn: Connection, frame: pd.DataFrame, min_score: float, kind: str | None, *, by: str, note: str
) -> BulkDecision:
    """Accept every pending group of ``frame`` (the pending suggestions) whose rows all score at
    least ``min_score`` (and, with ``kind``, hold a row of that kind), best first, each in a
    savepoint: a group whose money an earlier one took is skipped, the others kept."""
    df = frame
    groups: dict[Any, list[dict[str, Any]]] = {}
    for rec in df.to_dict("records"):
        r = {str(k): v for k, v in rec.items()}
        key = r["group_id"] if r["group_id"] is not None else f"#{r['suggestion_id']}"
        groups.setdefault(key, []).append(r)
    result = BulkDecision()
    for rows in groups.values():
        if any(r["score"] is None or float(r["score"]) < min_score for r in rows):
            continue
        if kind is not None and all(r["kind"] != kind for r in rows):
            continue
        sid = int(rows[0]["suggestion_id"])
        try:
            with conn.begin_nested():
                result.accepted[sid] = _review.accept(conn, sid, by=by, note=note)
        except LedgerError as exc:
            result.skipped[sid] = exc.message
    return result
