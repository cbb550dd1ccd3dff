"""Date columns of the matcher's input frames → day numbers (days since 1970-01-01).

A column may hold ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp`` or
``numpy.datetime64`` values, ISO or day/month-first text, or ``yyyymmdd`` integers, in any
mix. A date is a calendar date: a time of day is dropped, and a time-zone-aware value gives
the date *in its own zone*, as written (``2026-03-01 23:30+01:00`` is 1 March, whatever the
machine's zone), so columns that mix zones, or zones and naive values, read fine. Text is read
by :mod:`rapprochement.dates`, the day/month order decided once for the whole column.
"""

from __future__ import annotations

import datetime as dt
import numbers
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from rapprochement import dates
from rapprochement.dates import DateOrder
from rapprochement.errors import DateError
from rapprochement.matching.input_values import place, sample

__all__ = ["MISSING_DAY", "day_numbers"]

Array = np.ndarray[Any, Any]

#: The day number of a missing (optional) date.
MISSING_DAY = -1
_EPOCH = dt.date(1970, 1, 1)
_BAD, _MISSING = "bad", "missing"


def day_numbers(
    s: pd.Series, col: str, what: str, row_ids: Array, *, required: bool, dayfirst: bool | None
) -> Array:
    """The column as int64 day numbers (:data:`MISSING_DAY` where empty and not required).

    Raises:
        DateError: naming the column, the rows and values that are no date, impossible,
            before 1970, missing (when ``required``), or whose day/month order the column
            leaves open (see :func:`rapprochement.dates.column_order`).
    """
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)  # wall-clock time in the column's own zone
    if pd.api.types.is_datetime64_dtype(s.dtype):
        missing = s.isna().to_numpy()
        days = s.to_numpy(dtype="datetime64[D]").astype(np.int64)
        why = np.where(missing, _MISSING, np.where(days < 0, _BAD, "")).astype(object)
    else:
        days, why = _object_days(s, col, what, row_ids, dayfirst)
    missing = why == _MISSING
    if not required:
        days[missing] = MISSING_DAY
        why[missing] = ""
    if (why != "").any():
        _refuse(why, s, col, what, row_ids, dayfirst)
    return days


def _object_days(
    s: pd.Series, col: str, what: str, row_ids: Array, dayfirst: bool | None
) -> tuple[Array, Array]:
    """Day numbers and failure reasons of a column of Python objects, each distinct value read
    once (a column of 10^6 payments holds a few hundred dates)."""
    rows: Array = s.to_numpy(dtype=object)
    codes: Array
    try:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        values: list[Any] = list(np.asarray(uniques, dtype=object))
    except TypeError:  # unhashable values (lists...): every row is its own value
        codes, values = np.arange(len(s)), list(rows)
    order = _order(values, codes, s, col, what, row_ids, dayfirst)
    u_days = np.zeros(len(values) + 1, dtype=np.int64)
    u_why = np.full(len(values) + 1, "", dtype=object)
    u_why[-1] = _MISSING  # code -1: None, NaN, NaT
    for k, v in enumerate(values):
        d = _date(v, order)
        if isinstance(d, str):
            u_why[k] = d
        else:
            u_days[k] = (d - _EPOCH).days
            u_why[k] = _BAD if d < _EPOCH else ""
    days, why = u_days[codes], u_why[codes]
    for i in np.flatnonzero([isinstance(v, dt.datetime) and v.tzinfo is not None for v in values]):
        # equal instants in different zones share a code: each row keeps its own date
        at = np.flatnonzero(codes == i)
        days[at] = [(rows[r].date() - _EPOCH).days for r in at.tolist()]
    return days, why


def _order(
    values: list[Any],
    codes: Array,
    s: pd.Series,
    col: str,
    what: str,
    row_ids: Array,
    dayfirst: bool | None,
) -> DateOrder:
    kinds = [dates.date_kind(v) if isinstance(v, str) else None for v in values]
    try:
        return dates.column_order(kinds, dayfirst)
    except ValueError as exc:
        mixed = isinstance(exc, dates.MixedDateOrderError)
        fits = ("dmy", "mdy") if mixed else ("either",)
        hit = np.array([k in fits for k in kinds] + [False], dtype=bool)[codes]
        if mixed:
            message = f"{what}.{col} mixes day-first and month-first dates: {sample(s, hit)}"
        else:
            message = (
                f"{what}.{col}: every date reads both day first and month first "
                f"({sample(s, hit, 3)}): the column does not tell which it is"
            )
        raise DateError(
            message,
            file=what,
            location=place(col, hit, row_ids),
            hint="write ISO dates (2026-04-03), or pass dayfirst=True (31/12/2026) or "
            "dayfirst=False (12/31/2026) to reconcile()",
        ) from None


def _date(v: Any, order: DateOrder) -> dt.date | str:
    """The calendar date of one value, or why there is none (``_BAD``, ``_MISSING``)."""
    if v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and v != v):
        return _MISSING
    if isinstance(v, dt.datetime):  # pandas.Timestamp too; aware: the date in its own zone
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return _MISSING
        return _date_text(str(v.astype("datetime64[D]")), "ymd")
    if isinstance(v, str):
        return _date_text(v, order) if v.strip() else _MISSING
    if isinstance(v, (bool, np.bool_)):
        return _BAD
    if isinstance(v, (numbers.Integral, float, np.floating, Decimal)):
        return _yyyymmdd(v)
    return _BAD


def _yyyymmdd(v: Any) -> dt.date | str:
    """An integer (or a whole float: an integer column with a gap) read as ``yyyymmdd``."""
    try:
        n = int(v)
        whole = n == v
    except (ValueError, OverflowError, ArithmeticError):
        return _BAD
    if not whole or not 10_000_000 <= n <= 99_991_231:
        return _BAD
    return _date_text(str(n), "ymd")


def _date_text(text: str, order: DateOrder) -> dt.date | str:
    try:
        d = dates.parse_date(text, order)
    except ValueError:
        return _BAD
    return _MISSING if d is None else d


def _refuse(
    why: Array, s: pd.Series, col: str, what: str, row_ids: Array, dayfirst: bool | None
) -> None:
    bad = why == _BAD
    if bad.any():
        how = {None: "", True: " day first", False: " month first"}[dayfirst]
        raise DateError(
            f"{what}.{col} has values that are no date{how}, impossible dates or dates "
            f"before 1970: {sample(s, bad)}",
            file=what,
            location=place(col, bad, row_ids),
            hint="use dates, ISO text such as 2026-03-31, DD/MM/YYYY or MM/DD/YYYY text (one "
            "order per column) or yyyymmdd integers",
        )
    raise DateError(
        f"{what}.{col} has missing dates",
        file=what,
        location=place(col, why == _MISSING, row_ids),
        hint="every row needs this date",
    )
