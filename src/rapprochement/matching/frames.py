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
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from rapprochement.errors import AmountError, ColumnError
from rapprochement.matching.columns import INVOICE_COLUMNS, TRANSACTION_COLUMNS
from rapprochement.matching.input_dates import MISSING_DAY, day_numbers
from rapprochement.matching.input_values import amounts, currencies, ids, place, text
from rapprochement.matching.keys import compact_iban, payer_in_text
from rapprochement.matching.model_frames import transactions_frame
from rapprochement.money import currency_exponent

__all__ = [
    "INVOICE_COLUMNS",
    "TRANSACTION_COLUMNS",
    "prepare_invoices",
    "prepare_remittances",
    "prepare_transactions",
    "transactions_frame",
]

_NOT_PROVIDED = {"", "NOTPROVIDED", "NONE", "NAN"}


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


def _compact_iban(values: Iterable[str]) -> np.ndarray[Any, Any]:
    seen: dict[str, str] = {}  # one string per distinct IBAN (a payer pays many times)
    values = np.asarray(values, dtype=object).tolist()
    for v in values:
        if v not in seen:
            seen[v] = compact_iban(v)
    return np.array([seen[v] for v in values], dtype=object)


def _clean_ref(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.array(
        ["" if v.strip().upper() in _NOT_PROVIDED else v.strip() for v in values], dtype=object
    )


def prepare_transactions(df: pd.DataFrame, *, dayfirst: bool | None = None) -> pd.DataFrame:
    """Validate a transactions frame and return the internal frame (see module doc);
    ``dayfirst`` as in :func:`rapprochement.dates.column_order`."""
    what = "transactions"
    _check_columns(df, TRANSACTION_COLUMNS, what)
    attrs = dict(df.attrs)
    df = df.reset_index(drop=True)
    df.attrs.update(attrs)
    tid = ids(df, "transaction_id", what)
    ccy, exps = currencies(df, what, tid, money_only=False)
    amount = amounts(df, "amount", exps, what, tid)
    # Transaction models carry no booking date: only then may it be missing
    optional = bool(df.attrs.get("dates_optional", False))
    day = _days(df, "booking_date", what, tid, required=not optional, dayfirst=dayfirst)
    _days(df, "value_date", what, tid, required=False, dayfirst=dayfirst)  # checked, unused
    structured = _clean_ref(text(df, "structured_reference"))
    remittance = [
        " ".join(p for p in parts if p)
        for parts in zip(
            text(df, "remittance_info"),
            structured,
            _clean_ref(text(df, "end_to_end_id")),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "transaction_id": tid,
            "currency": ccy,
            "amount": amount,
            "day": day,
            "name": _payer_names(text(df, "counterparty_name"), text(df, "remittance_info")),
            "iban": _compact_iban(text(df, "counterparty_iban")),
            "text": np.array(remittance, dtype=object),
            "structured": structured,
        }
    )


def _payer_names(names: np.ndarray[Any, Any], texts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The counterparty names, and for a line that has none the payer its text names
    (:func:`rapprochement.matching.keys.payer_in_text`)."""
    out = names.copy()
    for k in np.flatnonzero(names == ""):
        out[k] = payer_in_text(str(texts[k]))
    return out


def prepare_invoices(df: pd.DataFrame, *, dayfirst: bool | None = None) -> pd.DataFrame:
    """Validate an invoices frame and return the internal frame (see module doc)."""
    what = "invoices"
    _check_columns(df, INVOICE_COLUMNS, what)
    df = df.reset_index(drop=True)
    iid = ids(df, "invoice_id", what)
    ccy, exps = currencies(df, what, iid, money_only=True)
    amount = amounts(df, "amount", exps, what, iid)
    open_ = _open_amounts(df, amount, exps, iid)
    return pd.DataFrame(
        {
            "invoice_id": iid,
            "customer_id": text(df, "customer_id"),
            "customer_name": text(df, "customer_name"),
            "currency": ccy,
            "amount": amount,
            "open": open_,
            "issue_day": _days(df, "issue_date", what, iid, required=True, dayfirst=dayfirst),
            "due_day": _days(df, "due_date", what, iid, required=False, dayfirst=dayfirst),
            "reference": _clean_ref(text(df, "reference")),
            "customer_iban": _compact_iban(text(df, "customer_iban")),
        }
    )


def _days(
    df: pd.DataFrame,
    col: str,
    what: str,
    row_ids: np.ndarray[Any, Any],
    *,
    required: bool,
    dayfirst: bool | None,
) -> np.ndarray[Any, Any]:
    if col not in df.columns:
        return np.full(len(df), MISSING_DAY, dtype=np.int64)
    return day_numbers(df[col], col, what, row_ids, required=required, dayfirst=dayfirst)


def _open_amounts(
    df: pd.DataFrame, amount: np.ndarray[Any, Any], exps: np.ndarray[Any, Any], iid: Any
) -> np.ndarray[Any, Any]:
    """Open amounts (``amount`` where not given): of the sign of ``amount`` (a credit note's
    is negative) and never larger than it."""
    what = "invoices"
    open_ = amount.copy()
    if "open_amount" not in df.columns:
        return open_
    col = df["open_amount"].astype(object)
    values = col.tolist()
    if set(map(type, values)) == {Decimal}:  # (the usual case: every one given)
        has = np.ones(len(values), dtype=bool)
    else:
        has = np.array([type(v) is Decimal or not _blank(v) for v in values], dtype=bool)
    if has.any():
        sub = pd.DataFrame({"open_amount": col[has]})
        open_[has] = amounts(sub, "open_amount", exps[has], what, iid[has])
    for bad, message, hint in (
        (
            (open_ != 0) & (np.sign(open_) != np.sign(amount)),
            "open_amount has the opposite sign of amount",
            "a credit note has a negative amount and a negative open amount",
        ),
        (
            np.abs(open_) > np.abs(amount),
            "open_amount is larger than the invoice's amount",
            "the open amount is what remains unpaid: between 0 and the amount",
        ),
    ):
        if bad.any():
            raise AmountError(
                message, file=what, location=place("open_amount", bad, iid), hint=hint
            )
    return open_


def _blank(v: Any) -> bool:
    """A missing open amount (the invoice's amount is then open)."""
    return (
        v is None
        or v is pd.NA
        or v is pd.NaT
        or (isinstance(v, float) and np.isnan(v))
        or (isinstance(v, str) and not v.strip())
    )


def prepare_remittances(df: pd.DataFrame, tx: pd.DataFrame) -> pd.DataFrame:
    """Validate remittance lines (``transaction_id, reference, amount, memo`` and an optional
    ``discount``: the early-payment discount the payer or bank states for that line, blank for
    none) against ``tx``."""
    what = "remittances"
    _check_columns(df, ("transaction_id", "reference", "amount"), what)
    df = df.reset_index(drop=True)
    tid = text(df, "transaction_id")
    ccy_of = dict(zip(tx["transaction_id"].tolist(), tx["currency"].tolist(), strict=True))
    unknown = np.array([t not in ccy_of for t in tid], dtype=bool)
    if unknown.any():
        raise ColumnError(
            "remittance lines name transactions that are not in the transactions input",
            file=what,
            location=place("transaction_id", unknown, tid),
        )
    exps = np.array([currency_exponent(ccy_of[t]) for t in tid], dtype=np.int64)
    amount = amounts(df, "amount", exps, what, tid) if len(df) else np.zeros(0, dtype=np.int64)
    discount = np.zeros(len(df), dtype=np.int64)
    if "discount" in df.columns and len(df):
        stated = np.array([not _blank(v) for v in df["discount"].tolist()], dtype=bool)
        if stated.any():
            part = df.loc[stated, ["discount"]].reset_index(drop=True)
            discount[stated] = amounts(part, "discount", exps[stated], what, tid[stated])
    return pd.DataFrame(
        {
            "transaction_id": tid,
            "reference": text(df, "reference"),
            "amount": amount,
            "memo": text(df, "memo"),
            "discount": discount,
        }
    )
