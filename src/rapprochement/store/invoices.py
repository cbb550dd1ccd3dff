"""Invoice import: a CSV or ``.xlsx`` file or DataFrame → validated rows → invoices and customers.

French and English header names are recognised (``N° facture``, ``Montant TTC``, ``Échéance``,
``Reste dû``, ``Client``… see :mod:`rapprochement.store.invoice_columns`). Columns (map others
with ``column_map={"invoice_id": "Numero", ...}``): ``invoice_id,
customer_id, customer_name, amount, currency, issue_date`` required; ``due_date, open_amount,
reference, customer_iban, segment, credit_limit`` optional. ``open_amount`` is what was open
*before* the payments this ledger allocates (defaults to ``amount``); the ledger's open amount is
that minus its own allocations, so importing the same file again changes nothing.

Every row is checked before anything is written; a bad row raises an
:class:`~rapprochement.errors.InputError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, bindparam, insert, select, update

from rapprochement import dates
from rapprochement.dates import DateOrder
from rapprochement.errors import (
    AmountError,
    ColumnError,
    CurrencyError,
    DateError,
    DuplicateIdError,
    InputError,
)
from rapprochement.money import is_currency, parse_amount, to_minor
from rapprochement.store import schema as t
from rapprochement.store.columns import IBAN_LENGTH, ID_LENGTH, clean_text
from rapprochement.store.invoice_columns import read_xlsx, resolve_columns
from rapprochement.store.summaries import InvoiceImportSummary

__all__ = ["InvoiceRow", "read_invoice_table", "read_invoices", "store_invoices"]

REQUIRED = ("invoice_id", "customer_id", "customer_name", "amount", "currency", "issue_date")
OPTIONAL = ("due_date", "open_amount", "reference", "customer_iban", "segment", "credit_limit")
_CHUNK = 500

InvoiceRow = dict[str, Any]


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=str(path), hint="check the path") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", file=str(path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    rows = [
        r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)
    ]
    if not rows:
        raise InputError("the CSV file is empty", file=str(path), hint="expected a header row")
    return [h.strip() for h in rows[0]], rows[1:]


def _table(
    source: str | os.PathLike[str] | pd.DataFrame, sheet: str | None = None
) -> tuple[str, list[str], list[list[Any]]]:
    if isinstance(source, pd.DataFrame):
        cols = [str(c) for c in source.columns]
        return "invoices", cols, source.astype(object).to_numpy().tolist()
    path = Path(source)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        header, xrows = read_xlsx(path, sheet)
        return str(path), header, xrows
    header, rows = _read_csv(path)
    return str(path), header, [list(r) for r in rows]


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and v != v:
        return True
    if v is pd.NaT:
        return True
    return isinstance(v, str) and not clean_text(v).strip()


def _amount(v: Any, currency: str) -> Decimal:
    if isinstance(v, bool):
        raise ValueError("a boolean is not an amount")
    if isinstance(v, Decimal):
        d = v
    elif isinstance(v, int):
        d = Decimal(v)
    elif isinstance(v, float):
        d = Decimal(repr(v))
    else:
        d = parse_amount(str(v))
    if not d.is_finite():
        raise ValueError(f"not a finite amount: {v!r}")
    to_minor(d, currency)  # raises when inexact at the currency's precision
    return d


def _date(v: Any, order: DateOrder) -> dt.date:
    if isinstance(v, dt.datetime):  # pandas.Timestamp too: the date in its own zone
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        d = dates.parse_date(str(v), order)
    except ValueError as exc:
        raise ValueError(f"{exc} (use YYYY-MM-DD or DD/MM/YYYY)") from None
    if d is None:
        raise ValueError("is empty")
    return d


def _date_orders(
    name: str, index: Mapping[str, int], rows: list[list[Any]]
) -> dict[str, DateOrder]:
    """The day/month order of each date column, decided once from all its cells by
    :mod:`rapprochement.dates` (as ``reconcile()`` reads them), except that a column where
    every date reads both ways is day first (``DD/MM/YYYY``, as documented)."""
    orders: dict[str, DateOrder] = {}
    for col in ("issue_date", "due_date"):
        j = index.get(col, -1)
        cells = [r[j] for r in rows if 0 <= j < len(r) and isinstance(r[j], str)]
        try:
            orders[col] = dates.column_order(dates.date_kind(c) for c in cells)
        except dates.AmbiguousDateOrderError:
            orders[col] = "dmy"
        except dates.MixedDateOrderError:
            raise DateError(
                f"{col} mixes day-first (13/04/2026) and month-first (04/13/2026) dates",
                file=name,
                location=f"column {col}",
                hint="write ISO dates (2026-04-13) or one order in the whole column",
            ) from None
    return orders


def _text(v: Any) -> str:
    """A cell as the ledger stores it (stripped, no NUL), so re-imports compare like for like."""
    return "" if _missing(v) else clean_text(str(v)).strip()


#: Cells the ledger keeps in bounded columns (docs/ledger.md), checked here to name the row.
_BOUNDED = {"invoice_id": ID_LENGTH, "customer_id": ID_LENGTH, "customer_iban": IBAN_LENGTH}


def _row(rec: Mapping[str, Any], orders: Mapping[str, DateOrder]) -> InvoiceRow:
    """One validated row; raises (column, error class, message) through _RowError."""
    values: dict[str, Any] = {}
    for col in REQUIRED:
        if _missing(rec.get(col)):
            raise _RowError(col, InputError, "is empty")
    ccy = _text(rec["currency"]).upper()
    if not is_currency(ccy):
        raise _RowError("currency", CurrencyError, f"{ccy!r} is not an ISO 4217 code") from None
    values["currency"] = ccy
    for col in ("amount", "open_amount", "credit_limit"):
        if col == "amount" or not _missing(rec.get(col)):
            try:
                values[col] = _amount(rec[col], ccy)
            except (ValueError, InvalidOperation) as exc:
                raise _RowError(col, AmountError, str(exc)) from None
    for col in ("issue_date", "due_date"):
        if col == "issue_date" or not _missing(rec.get(col)):
            try:
                values[col] = _date(rec[col], orders[col])
            except ValueError as exc:
                raise _RowError(col, DateError, str(exc)) from None
    amount: Decimal = values["amount"]
    open_amount: Decimal = values.get("open_amount", amount)
    if (open_amount != 0 and (open_amount < 0) != (amount < 0)) or abs(open_amount) > abs(amount):
        raise _RowError(
            "open_amount", AmountError, f"{open_amount} is not between 0 and the amount {amount}"
        )
    for col in ("invoice_id", "customer_id", "customer_name", "reference", "segment"):
        values[col] = _text(rec.get(col))
    values["customer_iban"] = _text(rec.get("customer_iban")).replace(" ", "").upper()
    for col, bound in _BOUNDED.items():
        if len(values[col]) > bound:
            raise _RowError(col, InputError, f"has {len(values[col])} characters (at most {bound})")
    values["amount_minor"] = to_minor(amount, ccy)
    values["base_open_minor"] = to_minor(open_amount, ccy)
    limit = values.get("credit_limit")
    values["credit_limit_minor"] = None if limit is None else to_minor(limit, ccy)
    return values


class _RowError(Exception):
    def __init__(self, column: str, kind: type[InputError], message: str) -> None:
        super().__init__(message)
        self.column = column
        self.kind = kind
        self.message = message


def read_invoices(
    source: str | os.PathLike[str] | pd.DataFrame,
    column_map: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
) -> list[InvoiceRow]:
    """Read and validate every row; raises on the first bad row (naming line and column)."""
    return read_invoice_table(source, column_map, sheet=sheet)[0]


def read_invoice_table(
    source: str | os.PathLike[str] | pd.DataFrame,
    column_map: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
) -> tuple[list[InvoiceRow], dict[str, str]]:
    """The validated rows and the columns used (field → header, to save as a profile).

    Raises:
        ColumnError: a mapping names no field or no column; a required field is missing.
        InputError: a bad row (named by line and column); nothing is returned.
    """
    name, header, rows = _table(source, sheet)
    index, used = resolve_columns(header, dict(column_map or {}), name)
    missing = [c for c in REQUIRED if c not in index]
    if missing:
        raise ColumnError(
            f"missing column(s) {', '.join(missing)}",
            file=name,
            location=f"header: {', '.join(header)}",
            hint="rename the columns or map them: --map invoice_id=<your column> (French "
            "and English names such as N° facture, Montant TTC, Échéance are recognised)",
        )
    orders = _date_orders(name, index, rows)
    out: list[InvoiceRow] = []
    seen: dict[str, int] = {}
    line0 = 2 if not isinstance(source, pd.DataFrame) else 0
    where = "line" if line0 else "row"
    for i, raw in enumerate(rows):
        rec = {c: (raw[j] if j < len(raw) else None) for c, j in index.items()}
        try:
            row = _row(rec, orders)
        except _RowError as exc:
            raise exc.kind(
                f"{exc.column} {exc.message}",
                file=name,
                location=f"{where} {i + line0}, column {exc.column}",
                hint="fix the row and import again; nothing was imported",
            ) from None
        if row["invoice_id"] in seen:
            raise DuplicateIdError(
                f"invoice_id {row['invoice_id']!r} appears twice",
                file=name,
                location=f"{where}s {seen[row['invoice_id']] + line0} and {i + line0}",
            )
        seen[row["invoice_id"]] = i
        out.append(row)
    return out, used


_INVOICE_FIELDS = (
    "customer_id", "amount_minor", "base_open_minor", "currency", "issue_date", "due_date",
    "reference", "customer_iban",
)  # fmt: skip


def _existing(conn: Connection, table: Any, key: str, ids: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    col = table.c[key]
    for i in range(0, len(ids), _CHUNK):
        for r in conn.execute(select(table).where(col.in_(ids[i : i + _CHUNK]))).mappings():
            found[r[key]] = r
    return found


def _store_customers(conn: Connection, rows: list[InvoiceRow], now: dt.datetime) -> int:
    latest: dict[str, InvoiceRow] = {}
    for r in rows:
        latest[r["customer_id"]] = r
    known = _existing(conn, t.customers, "customer_id", list(latest))
    new, changed = [], []
    for cid, r in latest.items():
        rec = {
            "customer_id": cid,
            "name": r["customer_name"],
            "segment": r["segment"] or None,
            "credit_limit_minor": r["credit_limit_minor"],
            "credit_currency": r["currency"] if r["credit_limit_minor"] is not None else None,
        }
        old = known.get(cid)
        if old is None:
            new.append(rec)
        elif any(old[k] != rec[k] for k in ("name", "segment", "credit_limit_minor")):
            changed.append({**rec, "b_customer_id": cid})
    if new:
        conn.execute(insert(t.customers), new)
    if changed:
        conn.execute(
            update(t.customers).where(t.customers.c.customer_id == bindparam("b_customer_id")),
            changed,
        )
    pairs = {(r["customer_id"], r["customer_iban"]) for r in rows if r["customer_iban"]}
    if pairs:
        have = {
            (r[0], r[1])
            for r in conn.execute(select(t.customer_ibans.c.customer_id, t.customer_ibans.c.iban))
        }
        fresh = sorted(pairs - have)
        if fresh:
            conn.execute(
                insert(t.customer_ibans),
                [
                    {"customer_id": c, "iban": i, "source": "invoice", "created_at": now}
                    for c, i in fresh
                ],
            )
    return len(new)


def store_invoices(conn: Connection, rows: list[InvoiceRow]) -> InvoiceImportSummary:
    """Insert new invoices, update changed ones, inside the caller's transaction."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    customers_new = _store_customers(conn, rows, now)
    known = _existing(conn, t.invoices, "invoice_id", [r["invoice_id"] for r in rows])
    new, changed = [], []
    for r in rows:
        rec = {k: r.get(k) for k in _INVOICE_FIELDS}
        old = known.get(r["invoice_id"])
        if old is None:
            new.append(
                {**rec, "invoice_id": r["invoice_id"], "allocated_minor": 0, "updated_at": now}
            )
        elif any(old[k] != rec[k] for k in _INVOICE_FIELDS):
            # changed: new evidence for the next reconcile run (store.evidence)
            changed.append(
                {**rec, "updated_at": now, "seen_run": None, "b_invoice_id": r["invoice_id"]}
            )
    if new:
        conn.execute(insert(t.invoices), new)
    if changed:
        conn.execute(
            update(t.invoices).where(t.invoices.c.invoice_id == bindparam("b_invoice_id")),
            changed,
        )
    return InvoiceImportSummary(
        rows=len(rows),
        new=len(new),
        updated=len(changed),
        unchanged=len(rows) - len(new) - len(changed),
        customers_new=customers_new,
    )
