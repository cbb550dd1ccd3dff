"""Inputs of matching → validated internal frames with integer minor units and day numbers.

Everything here checks the user's frames (columns, ids, amounts, currencies, dates) and
raises a typed :class:`~rapprochement.errors.InputError` naming the column and the rows.

Internal frames (one row per transaction / invoice, original order kept, never float money):

* transactions: ``transaction_id, currency, amount (int64 minor), day (int64, days since
  1970-01-01, -1 when unknown), name, iban, text``
* invoices: ``invoice_id, customer_id, customer_name, currency, amount, open (int64 minor),
  issue_day, due_day, reference, customer_iban``
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.errors import (
    AmountError,
    ColumnError,
    CurrencyError,
    DateError,
    DuplicateIdError,
)
from rapprochement.matching.columns import INVOICE_COLUMNS, TRANSACTION_COLUMNS
from rapprochement.matching.keys import compact_iban, payer_in_text
from rapprochement.matching.model_frames import transactions_frame
from rapprochement.money import currency_exponent, parse_amount

__all__ = [
    "INVOICE_COLUMNS",
    "TRANSACTION_COLUMNS",
    "prepare_invoices",
    "prepare_remittances",
    "prepare_transactions",
    "transactions_frame",
]

_NOT_PROVIDED = {"", "NOTPROVIDED", "NONE", "NAN"}


def _rows(mask: Any, limit: int = 8) -> str:
    idx = np.flatnonzero(np.asarray(mask))
    shown = ", ".join(str(i) for i in idx[:limit])
    return f"rows {shown}" + (f" (and {len(idx) - limit} more)" if len(idx) > limit else "")


def _check_columns(df: pd.DataFrame, required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(c, [str(x) for x in df.columns], n=1)
            if close:
                hints.append(f"{close[0]!r} → {c!r}")
        raise ColumnError(
            f"{what} frame lacks column(s) {', '.join(missing)}",
            file=what,
            location=f"columns {', '.join(map(str, df.columns))}",
            hint=("rename " + ", ".join(hints)) if hints else f"required: {', '.join(required)}",
        )


def _text(df: pd.DataFrame, col: str) -> np.ndarray[Any, Any]:
    if col not in df.columns:
        return np.full(len(df), "", dtype=object)
    s = df[col].astype(object).where(df[col].notna(), "")
    return np.array([str(v) for v in s], dtype=object)


def _ids(df: pd.DataFrame, col: str, what: str) -> np.ndarray[Any, Any]:
    ids = _text(df, col)
    empty = ids == ""
    if empty.any():
        raise DuplicateIdError(f"empty {col}", file=what, location=f"column {col}, {_rows(empty)}")
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        vals = sorted({str(v) for v in ids[dup]})[:5]
        raise DuplicateIdError(
            f"{col} must be unique; repeated: {', '.join(vals)}",
            file=what,
            location=f"column {col}, {_rows(dup)}",
            hint="give each row its own id",
        )
    return ids


def _currencies(df: pd.DataFrame, what: str) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    raw = _text(df, "currency")
    code = {c: c.strip().upper() for c in set(raw.tolist())}  # one string per distinct code
    ccy = np.array([code[c] for c in raw], dtype=object)
    exps = np.zeros(len(ccy), dtype=np.int64)
    bad = np.zeros(len(ccy), dtype=bool)
    for code in set(ccy.tolist()):
        try:
            e = currency_exponent(code)
        except ValueError:
            bad |= ccy == code
            continue
        exps[ccy == code] = e
    if bad.any():
        raise CurrencyError(
            f"unknown currency code(s) {sorted(set(ccy[bad].tolist()))[:5]}",
            file=what,
            location=f"column currency, {_rows(bad)}",
            hint="use ISO 4217 codes such as EUR",
        )
    return ccy, exps


def _one_amount(v: Any, exp: int) -> int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, np.integer)):
        return int(v) * int(10**exp)
    if isinstance(v, (float, np.floating)):
        if not np.isfinite(v):
            return None
        # The shortest decimal that round-trips the float (0.1 -> "0.1"), then the same
        # exactness check as any other amount: no float arithmetic, never a rounding.
        v = Decimal(repr(float(v)))
    try:
        d = v if isinstance(v, Decimal) else Decimal(str(v).strip())
    except InvalidOperation:
        try:
            d = parse_amount(str(v))
        except ValueError:
            return None
    if not d.is_finite():
        return None
    scaled_d = d.scaleb(exp)
    if scaled_d != scaled_d.to_integral_value():
        return None
    return int(scaled_d)


def _amounts(
    df: pd.DataFrame, col: str, exps: np.ndarray[Any, Any], what: str
) -> np.ndarray[Any, Any]:
    s = df[col]
    if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
        ints: np.ndarray[Any, Any] = s.to_numpy(dtype=np.int64) * (10**exps)
        return ints
    out = np.zeros(len(s), dtype=np.int64)
    bad = np.zeros(len(s), dtype=bool)
    for i, (v, e) in enumerate(zip(s.tolist(), exps.tolist(), strict=True)):
        m = _one_amount(v, int(e))
        if m is None:
            bad[i] = True
        else:
            out[i] = m
    if bad.any():
        kind = (
            "float values inexact at the currency's precision, "
            if pd.api.types.is_float_dtype(s.dtype)
            else ""
        )
        raise AmountError(
            f"{what}.{col} has missing, NaN, {kind}or unreadable amounts",
            file=what,
            location=f"column {col}, {_rows(bad)}",
            hint="give exact decimals (Decimal or text such as '1234.56'); a missing amount is "
            "never read as zero",
        )
    return out


def _days(df: pd.DataFrame, col: str, what: str, *, required: bool) -> np.ndarray[Any, Any]:
    if col not in df.columns:
        return np.full(len(df), -1, dtype=np.int64)
    raw = df[col]
    missing = raw.isna().to_numpy() | (raw.astype(object).astype(str).str.strip() == "").to_numpy()
    parsed = pd.to_datetime(raw.where(~missing, None), errors="coerce", format="mixed")
    bad = parsed.isna().to_numpy() & ~missing
    if required:
        bad |= missing
    if bad.any():
        raise DateError(
            f"{what}.{col} has dates that do not parse or are missing",
            file=what,
            location=f"column {col}, {_rows(bad)}",
            hint="use ISO dates such as 2026-03-31",
        )
    days = parsed.to_numpy(dtype="datetime64[D]").astype(np.int64)
    days[missing] = -1
    return days


def _compact_iban(values: Iterable[str]) -> np.ndarray[Any, Any]:
    seen: dict[str, str] = {}  # one string per distinct IBAN (a payer pays many times)
    return np.array(
        [seen.get(v) or seen.setdefault(v, compact_iban(v)) for v in values],
        dtype=object,
    )


def _clean_ref(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.array(
        ["" if v.strip().upper() in _NOT_PROVIDED else v.strip() for v in values], dtype=object
    )


def prepare_transactions(df: pd.DataFrame) -> pd.DataFrame:
    """Validate a transactions frame and return the internal frame (see module doc)."""
    what = "transactions"
    _check_columns(df, TRANSACTION_COLUMNS, what)
    attrs = dict(df.attrs)
    df = df.reset_index(drop=True)
    df.attrs.update(attrs)
    ids = _ids(df, "transaction_id", what)
    ccy, exps = _currencies(df, what)
    amount = _amounts(df, "amount", exps, what)
    # Transaction models carry no booking date: only then may it be missing
    day = _days(df, "booking_date", what, required=not df.attrs.get("dates_optional", False))
    text = [
        " ".join(p for p in parts if p)
        for parts in zip(
            _text(df, "remittance_info"),
            _clean_ref(_text(df, "structured_reference")),
            _clean_ref(_text(df, "end_to_end_id")),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "transaction_id": ids,
            "currency": ccy,
            "amount": amount,
            "day": day,
            "name": _payer_names(_text(df, "counterparty_name"), _text(df, "remittance_info")),
            "iban": _compact_iban(_text(df, "counterparty_iban")),
            "text": np.array(text, dtype=object),
            "structured": _clean_ref(_text(df, "structured_reference")),
        }
    )


def _payer_names(names: np.ndarray[Any, Any], texts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The counterparty names, and for a line that has none the payer its text names
    (:func:`rapprochement.matching.keys.payer_in_text`)."""
    out = names.copy()
    for k in np.flatnonzero(names == ""):
        out[k] = payer_in_text(str(texts[k]))
    return out


def prepare_invoices(df: pd.DataFrame) -> pd.DataFrame:
    """Validate an invoices frame and return the internal frame (see module doc)."""
    what = "invoices"
    _check_columns(df, INVOICE_COLUMNS, what)
    df = df.reset_index(drop=True)
    ids = _ids(df, "invoice_id", what)
    ccy, exps = _currencies(df, what)
    amount = _amounts(df, "amount", exps, what)
    if "open_amount" in df.columns:
        col = df["open_amount"].astype(object)
        has = np.array(
            [
                v is not None
                and not (isinstance(v, float) and np.isnan(v))
                and str(v).strip() != ""
                for v in col
            ],
            dtype=bool,
        )
        filled = col.where(has, None)
        open_ = amount.copy()
        if has.any():
            sub = pd.DataFrame({"open_amount": filled[has]})
            open_[has] = _amounts(sub, "open_amount", exps[has], what)
    else:
        open_ = amount.copy()
    wrong = (open_ != 0) & (np.sign(open_) != np.sign(amount))
    if wrong.any():
        raise AmountError(
            "open_amount has the opposite sign of amount",
            file=what,
            location=f"column open_amount, {_rows(wrong)}",
            hint="a credit note has a negative amount and a negative open amount",
        )
    return pd.DataFrame(
        {
            "invoice_id": ids,
            "customer_id": _text(df, "customer_id"),
            "customer_name": _text(df, "customer_name"),
            "currency": ccy,
            "amount": amount,
            "open": open_,
            "issue_day": _days(df, "issue_date", what, required=True),
            "due_day": _days(df, "due_date", what, required=False),
            "reference": _clean_ref(_text(df, "reference")),
            "customer_iban": _compact_iban(_text(df, "customer_iban")),
        }
    )


def prepare_remittances(df: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    """Validate remittance lines (``transaction_id, reference, amount, memo``) against ``tx``."""
    what = "remittances"
    _check_columns(df, ("transaction_id", "reference", "amount"), what)
    df = df.reset_index(drop=True)
    tid = _text(df, "transaction_id")
    ccy_of = dict(zip(tx["transaction_id"], tx["currency"], strict=True))
    unknown = np.array([t not in ccy_of for t in tid], dtype=bool)
    if unknown.any():
        raise ColumnError(
            "remittance lines name transactions that are not in the transactions input",
            file=what,
            location=f"column transaction_id, {_rows(unknown)}",
        )
    exps = np.array([currency_exponent(ccy_of[t]) for t in tid], dtype=np.int64)
    amount = _amounts(df, "amount", exps, what) if len(df) else np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "transaction_id": tid,
            "reference": _text(df, "reference"),
            "amount": amount,
            "memo": _text(df, "memo"),
        }
    )
