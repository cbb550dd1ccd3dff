"""What dunning reads from and writes to the ledger: invoice events (disputes, promises to pay)
and the history of dunning actions.

An action is identified by (customer, sorted invoice ids, level, date): recording the same
action twice stores it once, so a dunning run repeated the same day never sends twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, select

from rapprochement.errors import DateError, InputError, NotFoundError
from rapprochement.store import schema as t

__all__ = [
    "EVENT_KINDS",
    "add_invoice_event",
    "dunning_history",
    "invoice_events",
    "record_dunning_actions",
]

EVENT_KINDS = ("dispute", "promise")


def _date(v: Any, what: str) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v).strip())
    except ValueError:
        raise DateError(f"{what} {v!r} is not a date", hint="use YYYY-MM-DD") from None


def add_invoice_event(
    conn: Connection,
    invoice_id: str,
    kind: str,
    start: dt.date | str,
    end: dt.date | str | None = None,
    note: str = "",
) -> int:
    """Record a dispute or a promise to pay on an invoice; returns its id."""
    if kind not in EVENT_KINDS:
        raise InputError(
            f"unknown event kind {kind!r}", hint=f"use one of {', '.join(EVENT_KINDS)}"
        )
    s = _date(start, "start")
    e = None if end is None else _date(end, "end")
    if e is not None and e < s:
        raise DateError(f"end {e} is before start {s}", location=f"invoice {invoice_id}")
    found = conn.execute(
        select(t.invoices.c.id).where(t.invoices.c.invoice_id == invoice_id)
    ).first()
    if found is None:
        raise NotFoundError(f"no invoice {invoice_id!r}", hint="import the invoices first")
    pk = conn.execute(
        insert(t.invoice_events)
        .values(
            invoice_id=invoice_id,
            kind=kind,
            start=s,
            end=e,
            note=note,
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        )
        .returning(t.invoice_events.c.id)
    ).scalar_one()
    return int(pk)


def invoice_events(conn: Connection) -> pd.DataFrame:
    """``invoice_id, kind, start, end, note`` for every recorded event."""
    e = t.invoice_events.c
    rows = [
        {"invoice_id": r.invoice_id, "kind": r.kind, "start": r.start, "end": r.end, "note": r.note}
        for r in conn.execute(select(t.invoice_events).order_by(e.invoice_id, e.start, e.id))
    ]
    return pd.DataFrame(rows, columns=["invoice_id", "kind", "start", "end", "note"], dtype=object)


def _ids(v: Any) -> list[str]:
    if isinstance(v, str):
        text = v.strip()
        if text.startswith("["):
            return sorted(str(x) for x in json.loads(text))
        return sorted(p.strip() for p in text.split(",") if p.strip())
    if isinstance(v, Iterable):
        return sorted(str(x) for x in v)
    raise InputError(f"invoice_ids must be a list, got {type(v).__name__}")


def _payload(v: Any) -> str:
    if v is None:
        return "{}"
    if isinstance(v, str):
        return v
    return json.dumps(v, default=str, sort_keys=True)


def record_dunning_actions(conn: Connection, actions: list[Mapping[str, Any]]) -> int:
    """Store actions not already recorded; returns how many were new."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows: dict[str, dict[str, Any]] = {}
    for n, a in enumerate(actions):
        missing = [k for k in ("customer_id", "invoice_ids", "level", "action_date") if k not in a]
        if missing:
            raise InputError(f"dunning action lacks {', '.join(missing)}", location=f"action {n}")
        ids = _ids(a["invoice_ids"])
        day = _date(a["action_date"], "action_date")
        level = str(a["level"])
        key = hashlib.blake2b(
            "\x1f".join([str(a["customer_id"]), ",".join(ids), level, day.isoformat()]).encode(),
            digest_size=16,
        ).hexdigest()
        rows[key] = {
            "action_key": key,
            "action_id": str(a.get("action_id") or key),
            "customer_id": str(a["customer_id"]),
            "invoice_ids": json.dumps(ids),
            "level": level,
            "channel": str(a.get("channel") or ""),
            "action_date": day,
            "payload": _payload(a.get("payload")),
            "created_at": now,
        }
    if not rows:
        return 0
    keys = sorted(rows)
    known: set[str] = set()
    for i in range(0, len(keys), 500):
        known.update(
            conn.execute(
                select(t.dunning_actions.c.action_key).where(
                    t.dunning_actions.c.action_key.in_(keys[i : i + 500])
                )
            ).scalars()
        )
    fresh = [rows[k] for k in keys if k not in known]
    if fresh:
        conn.execute(insert(t.dunning_actions), fresh)
    return len(fresh)


def dunning_history(conn: Connection) -> pd.DataFrame:
    """``action_id, customer_id, invoice_ids (list), level, channel, action_date, payload,
    levels`` (invoice id → level each invoice reached in the action, from a statement of
    account's payload; None for actions recorded without)."""
    d = t.dunning_actions.c
    rows = []
    for r in conn.execute(select(t.dunning_actions).order_by(d.action_date, d.id)):
        level: int | str = int(r.level) if r.level.lstrip("-").isdigit() else r.level
        payload = json.loads(r.payload) if r.payload else {}
        levels = payload.get("levels") if isinstance(payload, dict) else None
        rows.append(
            {
                "action_id": r.action_id,
                "customer_id": r.customer_id,
                "invoice_ids": json.loads(r.invoice_ids),
                "level": level,
                "channel": r.channel,
                "action_date": r.action_date,
                "payload": payload,
                "levels": levels if isinstance(levels, dict) else None,
            }
        )
    cols = [
        "action_id", "customer_id", "invoice_ids", "level", "channel", "action_date", "payload",
        "levels",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=cols, dtype=object)
