"""Read the DataFrames dunning and KPIs consume into typed, validated records.

Frames follow the library convention: money columns hold either exact ``Decimal`` objects,
decimal strings (``"1234.56"``) or **integers in minor units** (``123456`` = 1 234.56 EUR);
a ``float`` amount is refused (:class:`~rapprochement.errors.AmountError`), because a float
cannot carry cents exactly. Dates may be ``datetime.date``, ``pandas.Timestamp`` or ISO strings.
Every error names the frame, the column and the row's id.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.errors import (
    AmountError,
    ColumnError,
    DateError,
    DuplicateIdError,
    InputError,
)
from rapprochement.money import from_minor, parse_amount

__all__ = [
    "EventRecord",
    "HistoryRecord",
    "OpenItem",
    "read_events",
    "read_history",
    "read_open_items",
    "require_columns",
    "to_date",
    "to_decimal",
]

_OPEN_ITEM_COLUMNS = ("invoice_id", "customer_id", "amount", "currency", "due_date")
_SKIP_STATUSES = frozenset({"paid", "credited", "cancelled", "written_off"})


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One invoice (amount > 0) or credit note (amount < 0) with what is still owed on it."""

    invoice_id: str
    customer_id: str
    customer_name: str
    amount: Decimal
    currency: str
    issue_date: dt.date | None
    due_date: dt.date
    open_amount: Decimal
    reference: str | None
    segment: str | None
    status: str

    @property
    def is_credit_note(self) -> bool:
        """True for a credit note (negative amount)."""
        return self.amount < 0

    @property
    def is_open(self) -> bool:
        """True when something is still owed and the item is not marked paid or credited."""
        return self.open_amount > 0 and self.status not in _SKIP_STATUSES and self.amount > 0


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    """A dunning action already recorded in the ledger."""

    action_id: str
    customer_id: str
    invoice_ids: tuple[str, ...]
    level: int | str
    channel: str
    action_date: dt.date
    #: invoice id → level it reached in this action (statements of account); None for actions
    #: recorded before: every invoice of ``invoice_ids`` reached ``level``.
    levels: Mapping[str, int | str] | None = None

    def level_of(self, invoice_id: str) -> int | str | None:
        """The level ``invoice_id`` reached in this action; None when it was only listed."""
        if self.levels is None:
            return self.level if invoice_id in self.invoice_ids else None
        return self.levels.get(invoice_id)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """A dated state of an invoice: a dispute (litige) or a promise to pay."""

    invoice_id: str
    kind: str
    start: dt.date
    end: dt.date | None
    note: str

    def active_on(self, day: dt.date) -> bool:
        """True when the state holds on ``day`` (start and end inclusive; no end = open)."""
        return self.start <= day and (self.end is None or day <= self.end)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def to_decimal(value: Any, currency: str, *, frame: str, column: str, row: str) -> Decimal | None:
    """Exact ``Decimal`` from a frame cell; ``None`` when the cell is empty.

    Integers are minor units of ``currency``; floats are refused.

    Raises:
        AmountError: a float, or text that is not a number.
    """
    if _missing(value):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise AmountError(f"{value!r} is not an amount", file=frame, location=f"{column}, {row}")
    if isinstance(value, int | np.integer):
        return from_minor(int(value), currency)
    if isinstance(value, float | np.floating):
        raise AmountError(
            f"float amount {value!r} cannot carry cents exactly",
            file=frame,
            location=f"{column}, {row}",
            hint="pass Decimal objects, decimal strings, or integer minor units",
        )
    try:
        return parse_amount(str(value))
    except ValueError:
        raise AmountError(
            f"{value!r} is not an amount",
            file=frame,
            location=f"{column}, {row}",
            hint="write 1234.56 or 1234,56",
        ) from None


def to_date(value: Any, *, frame: str, column: str, row: str) -> dt.date | None:
    """``datetime.date`` from a frame cell; ``None`` when the cell is empty.

    Raises:
        DateError: the value is not a date.
    """
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise DateError(
            f"{value!r} is not a date",
            file=frame,
            location=f"{column}, {row}",
            hint="use ISO dates such as 2026-03-31",
        ) from None


def require_columns(df: pd.DataFrame, columns: Iterable[str], frame: str) -> None:
    """Raise :class:`ColumnError` naming the columns of ``columns`` missing from ``df``."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ColumnError(
            f"missing column(s) {', '.join(missing)}",
            file=frame,
            hint=f"columns present: {', '.join(map(str, df.columns)) or '(none)'}",
        )


def _rows(df: pd.DataFrame) -> list[dict[Hashable, Any]]:
    return df.to_dict("records")


def _text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def read_open_items(
    df: pd.DataFrame,
    *,
    segments: Mapping[str, str] | None = None,
    frame: str = "open_items",
) -> list[OpenItem]:
    """Validate an open-items frame and return one :class:`OpenItem` per row.

    Columns: ``invoice_id, customer_id, amount, currency, due_date`` (required),
    ``customer_name, issue_date, open_amount, reference, segment, status`` (optional;
    ``open_amount`` defaults to ``amount``, ``segment`` to ``segments[customer_id]``).

    Raises:
        ColumnError: a required column is missing.
        DateError: an invoice has no due date (named by its id) or a date does not parse.
        AmountError: a float amount, or a negative open amount on an invoice.
    """
    if len(df) == 0:
        return []
    require_columns(df, _OPEN_ITEM_COLUMNS, frame)
    items: list[OpenItem] = []
    seen: set[str] = set()
    for rec in _rows(df):
        inv = str(rec["invoice_id"])
        row = f"invoice {inv}"
        if inv in seen:
            raise DuplicateIdError(
                "invoice listed twice",
                file=frame,
                location=f"invoice_id, {row}",
                hint="one row per invoice, with its current open amount",
            )
        seen.add(inv)
        ccy = str(rec["currency"])
        amount = to_decimal(rec["amount"], ccy, frame=frame, column="amount", row=row)
        if amount is None:
            raise AmountError("invoice has no amount", file=frame, location=f"amount, {row}")
        open_amount = to_decimal(
            rec.get("open_amount"), ccy, frame=frame, column="open_amount", row=row
        )
        if open_amount is None:
            open_amount = amount
        if amount > 0 and open_amount < 0:
            raise AmountError(
                f"negative open amount {open_amount} on invoice of {amount}",
                file=frame,
                location=f"open_amount, {row}",
                hint="an overpayment is a credit to the customer, not a negative open amount",
            )
        due = to_date(rec["due_date"], frame=frame, column="due_date", row=row)
        if due is None:
            raise DateError(
                "invoice has no due date",
                file=frame,
                location=f"due_date, {row}",
                hint="set the due date (issue date + agreed terms) before dunning",
            )
        customer = str(rec["customer_id"])
        segment = _text(rec.get("segment"))
        if segment is None and segments is not None:
            segment = segments.get(customer)
        items.append(
            OpenItem(
                invoice_id=inv,
                customer_id=customer,
                customer_name=_text(rec.get("customer_name")) or customer,
                amount=amount,
                currency=ccy,
                issue_date=to_date(
                    rec.get("issue_date"), frame=frame, column="issue_date", row=row
                ),
                due_date=due,
                open_amount=open_amount,
                reference=_text(rec.get("reference")),
                segment=segment,
                status=(_text(rec.get("status")) or "open").lower(),
            )
        )
    return items


def _invoice_ids(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    if hasattr(value, "tolist"):
        return tuple(str(v) for v in value.tolist())
    if _missing(value):
        return ()
    text = str(value).strip()
    if text.startswith("["):
        return tuple(str(v) for v in json.loads(text))
    return tuple(p.strip() for p in text.split(",") if p.strip())


def read_history(df: pd.DataFrame | None, *, frame: str = "history") -> list[HistoryRecord]:
    """Recorded dunning actions: ``action_id, customer_id, invoice_ids, level, action_date``.

    ``invoice_ids`` may be a list, a JSON list or comma-separated text; ``level`` an index or a
    level name.
    """
    if df is None or len(df) == 0:
        return []
    require_columns(df, ("customer_id", "invoice_ids", "level", "action_date"), frame)
    out: list[HistoryRecord] = []
    for i, rec in enumerate(_rows(df)):
        row = f"action {rec.get('action_id', i)}"
        day = to_date(rec["action_date"], frame=frame, column="action_date", row=row)
        if day is None:
            raise DateError("action has no date", file=frame, location=f"action_date, {row}")
        raw_level = rec["level"]
        level: int | str
        if _missing(raw_level):
            raise InputError("action has no level", file=frame, location=f"level, {row}")
        if isinstance(raw_level, str) and not raw_level.strip().lstrip("-").isdigit():
            level = raw_level
        else:
            level = int(raw_level)
        out.append(
            HistoryRecord(
                action_id=str(rec.get("action_id", i)),
                customer_id=str(rec["customer_id"]),
                invoice_ids=_invoice_ids(rec["invoice_ids"]),
                level=level,
                channel=str(rec.get("channel", "")),
                action_date=day,
                levels=_levels(rec),
            )
        )
    return out


def _levels(rec: Mapping[Hashable, Any]) -> dict[str, int | str] | None:
    """Per-invoice levels of a recorded action: a ``levels`` column, else ``payload["levels"]``
    (the ledger keeps them in the payload); None when the action has none."""
    raw = rec.get("levels")
    if not isinstance(raw, Mapping):
        payload = rec.get("payload")
        if isinstance(payload, str) and payload.strip().startswith("{"):
            payload = json.loads(payload)
        raw = payload.get("levels") if isinstance(payload, Mapping) else None
    if not isinstance(raw, Mapping):
        return None
    return {str(k): v if isinstance(v, int) else str(v) for k, v in raw.items()}


def read_events(df: pd.DataFrame | None, *, frame: str = "events") -> list[EventRecord]:
    """Disputes and promises to pay: ``invoice_id, kind, start[, end, note]``.

    Raises:
        InputError: an unknown kind, a missing start, or an end before the start.
    """
    if df is None or len(df) == 0:
        return []
    require_columns(df, ("invoice_id", "kind", "start"), frame)
    out: list[EventRecord] = []
    for rec in _rows(df):
        inv = str(rec["invoice_id"])
        row = f"invoice {inv}"
        kind = str(rec["kind"]).strip().lower()
        if kind not in ("dispute", "promise"):
            raise DateError(
                f"unknown event kind {kind!r}",
                file=frame,
                location=f"kind, {row}",
                hint="use 'dispute' or 'promise'",
            )
        start = to_date(rec["start"], frame=frame, column="start", row=row)
        end = to_date(rec.get("end"), frame=frame, column="end", row=row)
        if start is None:
            raise DateError(f"{kind} has no start date", file=frame, location=f"start, {row}")
        if end is not None and end < start:
            raise DateError(
                f"{kind} ends ({end}) before it starts ({start})",
                file=frame,
                location=f"end, {row}",
            )
        out.append(EventRecord(inv, kind, start, end, _text(rec.get("note")) or ""))
    return out
